/** The body of a bulk request: read with a size cap, parsed as JSON, checked to be rider ids. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/** Rider ids per bulk request, like the real API. */
const MAX_BULK_IDS = 1000;
const MAX_BODY_BYTES = 256 * 1024;

/** The request body parsed as JSON; rejects with a 413 or 400 `HttpError`. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'Request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** Throws a 400 `HttpError` unless `body` is an array of at most 1000 non-negative integers. */
export function validateBulkBody(body: unknown): void {
  if (!Array.isArray(body)) throw new HttpError(400, 'Request body must be a JSON array of rider ids');
  if (body.length > MAX_BULK_IDS) throw new HttpError(400, `At most ${MAX_BULK_IDS} rider ids per request`);
  for (const id of body) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new HttpError(400, 'Rider ids must be non-negative integers');
    }
  }
}
