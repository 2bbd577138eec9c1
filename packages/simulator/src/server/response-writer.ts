/** Writing answers: JSON headers, the clock's Date, byte-list bodies in chunks, 429s, counting. */
import type { ServerResponse } from 'node:http';
import type { Clock } from '@racesync/zwift-client';
import { ByteList } from '../world/payloads/byte-list.ts';
import type { Body } from './body.ts';
import type { SimulationStats } from './stats.ts';

/** Writes the server's answers and counts them by status. */
export class ResponseWriter {
  constructor(
    private readonly clock: Clock,
    private readonly stats: () => SimulationStats,
  ) {}

  /** Answer `status` with `body` (ignored when the response is gone or already started). */
  send(res: ServerResponse, status: number, body: Body, extra?: Record<string, string>): void {
    if (res.destroyed || res.headersSent) return;
    this.count(status);
    if (body instanceof ByteList) {
      // A few 64 KB chunks, recycled once the response is flushed (or the client went away).
      res.writeHead(status, this.headers(body.byteLength, extra));
      const release = (): void => body.release();
      res.once('finish', release);
      res.once('close', release);
      const chunks = body.chunks;
      for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]);
      res.end(chunks[chunks.length - 1]);
      return;
    }
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, this.headers(buf.length, extra));
    res.end(buf);
  }

  /** A 429 with `Retry-After` in whole seconds (at least 1). */
  tooMany(res: ServerResponse, retryAfterMs: number): void {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.send(res, 429, JSON.stringify({ message: 'Too Many Requests', retryAfter: seconds }), {
      'retry-after': String(seconds),
    });
  }

  /** `send`, or drop the connection when even that fails (the last resort of an internal error). */
  safeEnd(res: ServerResponse, status: number, body: string): void {
    try {
      this.send(res, status, body);
    } catch {
      res.destroy();
    }
  }

  /** Count a response of `status`. */
  count(status: number): void {
    const stats = this.stats();
    stats.responses.byStatus[status] = (stats.responses.byStatus[status] ?? 0) + 1;
  }

  /** Headers of a JSON answer of `length` bytes, dated by the clock. */
  headers(length: number, extra?: Record<string, string>): Record<string, string | number> {
    return {
      'content-type': 'application/json; charset=utf-8',
      'content-length': length,
      date: new Date(this.clock.now()).toUTCString(),
      ...extra,
    };
  }
}
