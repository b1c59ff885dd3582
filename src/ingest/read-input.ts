/**
 * Reads one input of any supported encoding into a sink: sniffs the first bytes (never the file
 * name), unwraps gzip and zstd, reads OTLP protobuf, strips a UTF-8 byte-order mark, transcodes
 * UTF-16, and hands the bytes to the format reader. Unsupported encodings are rejected with a
 * message saying what they are.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DecompressionGuard } from './decompression-guard.js';
import { type IngestLimits, resolveLimits } from './limits.js';
import { type CsvSpanOptions, isCsvSpanHeader, readCsvSpans } from './read-csv-spans.js';
import { readJsonTraces } from './read-json-traces.js';
import { OTLP_PROTOBUF_PROBE_BYTES, looksLikeOtlpProtobuf, readOtlpProtobuf } from './read-otlp-protobuf.js';
import { ZSTD_PROBE_BYTES, isZstdInput, readZstd } from './read-zstd.js';
import type { SpanSink } from './span-sink.js';

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** How inputs are read: the columns of CSV span tables. */
export interface ReadInputOptions {
  readonly csv?: CsvSpanOptions;
  /** Bounds on hostile input (limits.ts); defaults for those not given. */
  readonly limits?: Partial<IngestLimits>;
}

/** Reads `chunks` (the bytes of the input named `file`) into `sink`. */
export async function readInput(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, options: ReadInputOptions = {}): Promise<void> {
  const { head, rest } = await peek(chunks, ZSTD_PROBE_BYTES);
  if (head.length === 0) {
    sink.reject({ file, line: 1, field: null, reason: 'empty input: no trace data' });
    return;
  }
  const limits = resolveLimits(options.limits);
  if (isZstdInput(head)) {
    await readZstd(rest, head, file, sink, (bytes) => readDecoded(bytes, file, sink, true, options), limits);
    return;
  }
  if (startsWith(head, GZIP)) {
    let failure: string | null = null;
    let breach: string | null = null;
    const guard = new DecompressionGuard(limits, 'gzip data');
    const gunzip = createGunzip();
    pipeline(Readable.from(guard.countCompressed(rest)), gunzip, () => {});
    const gunzipped = catchFailure(gunzip, (error) => {
      failure = error.message;
    });
    const bounded = guard.limitDecompressed(gunzipped, (reason) => {
      breach = reason;
    });
    const lines = await readDecoded(bounded, file, sink, true, options);
    if (breach !== null) sink.reject({ file, line: lines, field: null, reason: `${breach as string}; records before it were read` });
    else if (failure !== null) sink.reject({ file, line: lines, field: null, reason: `gzip data is damaged or truncated (${failure}); records before it were read` });
    return;
  }
  await readDecoded(rest, file, sink, false, options);
}

/** Reads bytes that are no longer compressed; returns the number of lines read. */
async function readDecoded(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, compressed: boolean, options: ReadInputOptions): Promise<number> {
  const { head, rest } = await peek(chunks, OTLP_PROTOBUF_PROBE_BYTES);
  if (head.length === 0) {
    sink.reject({ file, line: 1, field: null, reason: compressed ? 'empty after decompression: no trace data' : 'empty input: no trace data' });
    return 1;
  }
  if (startsWith(head, ZSTD)) {
    sink.reject({ file, line: 1, field: null, reason: 'zstd data inside compressed data is not supported; decompress the outer layer first' });
    return 1;
  }
  if (looksLikeOtlpProtobuf(head)) return readOtlpProtobuf(rest, file, sink, resolveLimits(options.limits));
  let text: AsyncIterable<Uint8Array> = rest;
  if (startsWith(head, UTF8_BOM)) {
    text = skipBytes(rest, UTF8_BOM.length);
  } else if (startsWith(head, UTF16LE_BOM) || startsWith(head, UTF16BE_BOM)) {
    const encoding = head[0] === 0xff ? 'utf-16le' : 'utf-16be';
    sink.warn(file, `UTF-16 text (${encoding.toUpperCase()}) transcoded to UTF-8`);
    text = transcode(skipBytes(rest, 2), encoding);
  }
  return readText(text, file, sink, options);
}

/** UTF-8 text: JSON trace data, a CSV span table, or a rejection that says what the input is. */
async function readText(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, options: ReadInputOptions): Promise<number> {
  const { head, rest } = await peek(chunks, TEXT_PEEK);
  const first = firstNonWhitespace(head);
  if (first === undefined || first === 0x7b || first === 0x5b) return readJsonTraces(head, rest, file, sink, resolveLimits(options.limits));
  if (isCsvSpanHeader(head, options.csv)) return readCsvSpans(rest, file, sink, options.csv);
  sink.reject({
    file,
    line: 1,
    field: null,
    reason:
      'not JSON, nor a CSV span table: rollgraph reads OTLP/JSON (a document, an array, or JSON Lines), OTLP protobuf, Jaeger JSON, ' +
      'Zipkin v2 JSON, and CSV span tables whose header names trace id, span id and parent id columns (--csv-columns maps other ' +
      'names), optionally gzip- or zstd-compressed',
  });
  return 1;
}

/** Bytes of text looked at before choosing a reader (a header line, the first keys of a document). */
const TEXT_PEEK = 4096;

function firstNonWhitespace(head: Uint8Array): number | undefined {
  for (const b of head) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

/** Reads at least `n` bytes (unless the input is shorter) and returns them with the whole stream. */
async function peek(chunks: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    if (next.value.length === 0) continue;
    taken.push(next.value);
    length += next.value.length;
  }
  const head = taken.length === 1 ? taken[0]! : Buffer.concat(taken);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: rest() };
}

async function* skipBytes(chunks: AsyncIterable<Uint8Array>, n: number): AsyncGenerator<Uint8Array> {
  let toSkip = n;
  for await (const chunk of chunks) {
    if (toSkip >= chunk.length) {
      toSkip -= chunk.length;
      continue;
    }
    yield toSkip > 0 ? chunk.subarray(toSkip) : chunk;
    toSkip = 0;
  }
}

async function* transcode(chunks: AsyncIterable<Uint8Array>, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) yield Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
  const tail = decoder.decode();
  if (tail.length > 0) yield Buffer.from(tail, 'utf8');
}

/** Ends the stream quietly at the first error, reporting it, so records before it still count. */
async function* catchFailure(chunks: AsyncIterable<Uint8Array>, onFailure: (error: Error) => void): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of chunks) yield chunk;
  } catch (error) {
    onFailure(error as Error);
  }
}
