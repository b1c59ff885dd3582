/**
 * Stops gzip and zstd inputs that expand without bound (decompression bombs, or damage that
 * decodes as a long run): past `limits.decompressionRatioFloor` decompressed bytes, an input may
 * expand at most `limits.maxDecompressionRatio` times the compressed bytes read so far, and never
 * past `limits.maxDecompressedBytes` when that is set. Real trace exports expand 5 to 50 times.
 * Decompression streams, so this bounds time and disk-free work, not only memory.
 */
import { type IngestLimits, formatBytes, howToRaise } from './limits.js';

/** Thrown from inside a decompressor's callback to abort it mid-chunk. */
export class DecompressionLimitError extends Error {}

export class DecompressionGuard {
  /** Compressed bytes read so far. */
  compressed = 0;
  /** Decompressed bytes produced so far. */
  decompressed = 0;

  constructor(
    private readonly limits: IngestLimits,
    /** What is decompressed, for messages: `gzip data`, `zstd stream`. */
    private readonly what: string,
  ) {}

  /** Counts `n` more decompressed bytes; the breach message when a limit is passed, else null. */
  add(n: number): string | null {
    this.decompressed += n;
    const { maxDecompressedBytes, maxDecompressionRatio, decompressionRatioFloor } = this.limits;
    if (maxDecompressedBytes !== null && this.decompressed > maxDecompressedBytes) {
      return (
        `${this.what} expands to more than limits.maxDecompressedBytes (${formatBytes(maxDecompressedBytes)}); ` +
        `reading stopped there (${howToRaise('maxDecompressedBytes')})`
      );
    }
    if (this.decompressed > decompressionRatioFloor && this.decompressed > maxDecompressionRatio * Math.max(this.compressed, 1)) {
      return (
        `${this.what} expands more than limits.maxDecompressionRatio (${maxDecompressionRatio} times): ` +
        `${formatBytes(this.decompressed)} from ${formatBytes(this.compressed)} (a decompression bomb?); ` +
        `reading stopped there (${howToRaise('maxDecompressionRatio')})`
      );
    }
    return null;
  }

  /** Counts `n` decompressed bytes, throwing DecompressionLimitError on a breach. */
  addOrThrow(n: number): void {
    const breach = this.add(n);
    if (breach !== null) throw new DecompressionLimitError(breach);
  }

  /** Passes compressed chunks through, counting them. */
  async *countCompressed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.compressed += chunk.length;
      yield chunk;
    }
  }

  /** Passes decompressed chunks through until a limit is passed; then ends, calling `onBreach`. */
  async *limitDecompressed(chunks: AsyncIterable<Uint8Array>, onBreach: (reason: string) => void): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      const breach = this.add(chunk.length);
      if (breach !== null) {
        onBreach(breach);
        return;
      }
      yield chunk;
    }
  }
}
