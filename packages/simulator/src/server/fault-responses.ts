/** The answers of injected faults that replace or damage a response: server errors and cut bodies. */
import type { ServerResponse } from 'node:http';
import type { Rng } from '../prng.ts';
import { type Body, bodyBuffer } from './body.ts';
import type { ResponseWriter } from './response-writer.ts';

/** A 500 or 503 (JSON), or a 502 HTML page as a proxy would send, picked by `rng`. */
export function sendServerError(out: ResponseWriter, res: ServerResponse, rng: Rng): void {
  const status = [500, 502, 503][Math.floor(rng.next() * 3)] as number;
  if (status === 502) {
    out.send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', {
      'content-type': 'text/html',
    });
    return;
  }
  out.send(
    res,
    status,
    JSON.stringify({ message: status === 500 ? 'Internal Server Error' : 'Service Unavailable' }),
  );
}

/** Cut the JSON mid-way: usually a short but well-framed body, sometimes a dropped connection. */
export function sendTruncated(out: ResponseWriter, res: ServerResponse, body: Body, rng: Rng): void {
  if (res.destroyed) return;
  const buf = bodyBuffer(body);
  const cut = Math.max(1, Math.floor(buf.length * (0.2 + 0.6 * rng.next())));
  const dropConnection = rng.next() < 1 / 3;
  out.count(200);
  if (dropConnection) {
    res.writeHead(200, out.headers(buf.length));
    res.write(buf.subarray(0, cut), () => res.destroy());
    return;
  }
  res.writeHead(200, out.headers(cut));
  res.end(buf.subarray(0, cut));
}
