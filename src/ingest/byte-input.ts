/**
 * Reads a stream of byte chunks by exact counts, for the binary layouts (length-prefixed protobuf
 * frames, length-prefixed zstd frames): only the bytes asked for are held, so memory is bounded
 * by the largest frame, never by the file.
 */
export class ByteInput {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunks: Uint8Array[] = [];
  /** Bytes held in `chunks`; the first chunk starts at `skip`. */
  private held = 0;
  private skip = 0;
  private ended = false;
  /** Bytes of the stream consumed so far: the position of the next byte. */
  offset = 0;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** Bytes read from the stream and not consumed yet. */
  get buffered(): number {
    return this.held;
  }

  /** Reads until `n` bytes are held; false if the stream ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.held < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      if (next.value.length === 0) continue;
      this.chunks.push(next.value);
      this.held += next.value.length;
    }
    return this.held >= n;
  }

  /** The next `n` held bytes (fewer if fewer are held), without consuming them. */
  peek(n: number): Uint8Array {
    return this.read(Math.min(n, this.held), false);
  }

  /** Consumes and returns the next `n` bytes; call `ensure(n)` first. */
  take(n: number): Uint8Array {
    if (n > this.held) throw new Error(`ByteInput.take(${n}) with only ${this.held} bytes held`);
    return this.read(n, true);
  }

  private read(n: number, consume: boolean): Uint8Array {
    const first = this.chunks[0];
    let out: Uint8Array;
    if (n === 0 || first === undefined) {
      out = new Uint8Array(0);
    } else if (first.length - this.skip >= n) {
      out = first.subarray(this.skip, this.skip + n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      let start = this.skip;
      for (const chunk of this.chunks) {
        const part = chunk.subarray(start, Math.min(chunk.length, start + n - filled));
        out.set(part, filled);
        filled += part.length;
        start = 0;
        if (filled === n) break;
      }
    }
    if (consume) this.consume(n);
    return out;
  }

  private consume(n: number): void {
    this.held -= n;
    this.offset += n;
    let left = n;
    while (left > 0) {
      const first = this.chunks[0]!;
      const available = first.length - this.skip;
      if (available > left) {
        this.skip += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.skip = 0;
    }
  }
}

/** The 4-byte big-endian length the Collector's file exporter writes before each message. */
export function readUint32BE(bytes: Uint8Array, at = 0): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

export function formatMiB(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}
