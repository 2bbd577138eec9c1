/** Response bodies: a string, a buffer, or a chunked byte list. */
import { ByteList } from '../world/payloads/byte-list.ts';

/** A response body. */
export type Body = Buffer | string | ByteList;

const COMMA = Buffer.from(',');

/** The body in one buffer (a byte list's chunks go back to its pool). */
export function bodyBuffer(body: Body): Buffer {
  if (body instanceof ByteList) return body.toBuffer();
  return typeof body === 'string' ? Buffer.from(body) : body;
}

/** `head` + the parts separated by commas + `tail`, without building one large string. */
export function joinJson(head: string, parts: Buffer[], tail: string): ByteList {
  const out = new ByteList().text(head);
  parts.forEach((p, i) => {
    if (i > 0) out.bytes(COMMA);
    out.bytes(p);
  });
  return out.text(tail);
}
