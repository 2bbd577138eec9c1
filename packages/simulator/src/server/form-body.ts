/** Form bodies (`application/x-www-form-urlencoded`), as the Zwift token endpoint takes them. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

const MAX_FORM_BYTES = 16 * 1024;

/** The request's form fields; rejects with a 400 (or 413) `HttpError` in OAuth's error shape. */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return Promise.reject(
      new HttpError(400, 'Body must be application/x-www-form-urlencoded', {
        error: 'invalid_request',
        error_description: 'Body must be application/x-www-form-urlencoded',
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new HttpError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
