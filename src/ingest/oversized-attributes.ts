/**
 * Applies `limits.maxAttributeBytes` to the attributes a reader keeps: a value longer than the
 * limit (a 5 MB `db.query.text`, a service name that is really a payload) is ignored rather than
 * carried into node names and memory, and the reader reports it once per input with the first
 * place it was seen. Values are measured in UTF-16 code units, an upper bound of nothing and a
 * close stand-in for bytes in the ASCII text attributes hold.
 */
import { formatBytes, howToRaise } from './limits.js';
import type { SpanSink } from './span-sink.js';

export class OversizedAttributes {
  private count = 0;
  private first: { line: number; field: string; length: number } | null = null;

  constructor(
    private readonly file: string,
    private readonly max: number,
  ) {}

  /** `attributes` without the values over the limit (the same object when none is). */
  prune(attributes: Readonly<Record<string, string>>, line: number, path: string): Readonly<Record<string, string>> {
    let out: Record<string, string> | null = null;
    for (const key in attributes) {
      const value = attributes[key]!;
      if (value.length <= this.max) continue;
      out ??= { ...attributes };
      delete out[key];
      this.count++;
      this.first ??= { line, field: `${path}.attributes[${JSON.stringify(key)}]`, length: value.length };
    }
    return out ?? attributes;
  }

  /** One warning for the input, when a value was ignored. */
  report(sink: SpanSink): void {
    if (this.first === null) return;
    const { line, field, length } = this.first;
    sink.warn(
      this.file,
      `attribute values longer than limits.maxAttributeBytes (${formatBytes(this.max)}) ignored, the first at ${this.file}:${line} ` +
        `${field} (${formatBytes(length)}); ${howToRaise('maxAttributeBytes')}`,
      this.count,
    );
  }
}
