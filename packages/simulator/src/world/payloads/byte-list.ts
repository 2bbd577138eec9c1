/** Response bytes in recycled 64 KB chunks, built without large JS strings. */

const CHUNK = 64 * 1024;
const POOL_MAX = 32;
/** Recycled 64 KB response chunks: a response's chunks return here once written to the socket. */
const chunkPool: Buffer[] = [];

function acquireChunk(min: number): Buffer {
  if (min <= CHUNK) {
    const b = chunkPool.pop();
    if (b) return b;
  }
  return Buffer.allocUnsafeSlow(Math.max(CHUNK, min));
}

/**
 * Accumulates response bytes without building large JS strings: pieces are copied into 64 KB
 * chunks (written to the socket as they are), so a response costs a few writes and no
 * large V8-heap string.
 */
export class ByteList {
  private readonly parts: Buffer[] = [];
  private current: Buffer | null = null;
  private used = 0;
  private length = 0;

  bytes(b: Buffer): this {
    const cur = this.current;
    if (cur && cur.length - this.used >= b.length) {
      cur.set(b, this.used);
      this.used += b.length;
      this.length += b.length;
      return this;
    }
    let offset = 0;
    while (offset < b.length) {
      if (!this.current || this.used === this.current.length) {
        if (this.current) this.parts.push(this.current);
        this.current = acquireChunk(b.length - offset);
        this.used = 0;
      }
      const n = Math.min(b.length - offset, this.current.length - this.used);
      this.current.set(offset === 0 && n === b.length ? b : b.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
    }
    this.length += b.length;
    return this;
  }

  text(s: string): this {
    if (s.length < 256 && !this.needsEncoding(s)) {
      // ASCII fast path: write straight into the chunk.
      if (!this.current || this.current.length - this.used < s.length)
        return this.bytes(Buffer.from(s, 'latin1'));
      this.current.write(s, this.used, 'latin1');
      this.used += s.length;
      this.length += s.length;
      return this;
    }
    return this.bytes(Buffer.from(s));
  }

  private needsEncoding(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
    return false;
  }

  get byteLength(): number {
    return this.length;
  }

  /** The chunks, in order. */
  get chunks(): Buffer[] {
    const out = [...this.parts];
    if (this.current && this.used > 0) out.push(this.current.subarray(0, this.used));
    return out;
  }

  /** A copy of the bytes in one buffer; the chunks go back to the pool. */
  toBuffer(): Buffer {
    const out = Buffer.concat(this.chunks, this.length);
    this.release();
    return out;
  }

  /** Return the chunks to the pool (call once they have been written). Idempotent. */
  release(): void {
    const all = this.current ? [...this.parts, this.current] : this.parts;
    for (const b of all) if (b.length === CHUNK && chunkPool.length < POOL_MAX) chunkPool.push(b);
    this.parts.length = 0;
    this.current = null;
    this.used = 0;
  }
}
