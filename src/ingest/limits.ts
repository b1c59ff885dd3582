/**
 * The bounds reading holds hostile or damaged input to: how big one JSON value, protobuf message
 * or attribute value may be, how deep JSON may nest, how far compressed data may expand, and how
 * many spans one trace may have. Defaults are generous for real exports; each one can be raised
 * in the `limits` section of the config file, and every breach says which limit and how.
 * What each limit guards and what a breach prints: docs/limits.md.
 */

export interface IngestLimits {
  /** Largest single JSON value held at once (a span, a resource, a Jaeger `processes` map, a key). */
  readonly maxValueBytes: number;
  /** Deepest nesting of JSON arrays and objects, counted from the top of the document. */
  readonly maxNestingDepth: number;
  /** Longest attribute value rollgraph keeps (`peer.service`, `db.query.text` ...); longer ones are ignored. */
  readonly maxAttributeBytes: number;
  /** Largest protobuf frame, unframed message, or legacy zstd frame. */
  readonly maxMessageBytes: number;
  /** Most bytes a compressed input may expand to (null: no bound; the ratio still applies). */
  readonly maxDecompressedBytes: number | null;
  /** Most times a compressed input may expand, once past `decompressionRatioFloor` bytes. */
  readonly maxDecompressionRatio: number;
  /** Decompressed bytes below which the ratio is not checked (small inputs compress well). */
  readonly decompressionRatioFloor: number;
  /** Spans one trace may have; the spans beyond are ignored and counted. */
  readonly maxSpansPerTrace: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: IngestLimits = {
  maxValueBytes: 64 * MiB,
  maxNestingDepth: 1000,
  maxAttributeBytes: 64 * 1024,
  maxMessageBytes: 256 * MiB,
  maxDecompressedBytes: null,
  maxDecompressionRatio: 200,
  decompressionRatioFloor: 64 * MiB,
  maxSpansPerTrace: 100_000,
};

/** The limits a caller asked for, completed with the defaults. */
export function resolveLimits(partial: Partial<IngestLimits> | undefined): IngestLimits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const out: Record<string, unknown> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) out[key] = value;
  return out as unknown as IngestLimits;
}

/** How a breach message tells the user to raise a limit. */
export function howToRaise(name: keyof IngestLimits): string {
  return `raise limits.${name} in the config file to read it`;
}

/** A byte count for messages: exact below 1 KiB, else KiB / MiB / GiB with up to one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
