/**
 * Decompresses the two zstd layouts the Collector's file exporter writes (FORMATS.md §2.2) and
 * hands the bytes on, like gunzip does:
 * - a zstd stream (one or more frames; the `exporter.file.nativeCompression` layout and any
 *   `.zst` file): JSON Lines or length-prefixed protobuf inside, sniffed again after decompression;
 * - length-prefixed zstd frames (the exporter's default before native compression): each frame
 *   holds one message; protobuf messages are passed on length-prefixed, JSON ones as JSON Lines.
 * Decompression streams (fzstd), so memory is bounded by the largest frame, not the file.
 */
import { Decompress } from 'fzstd';
import { ByteInput, formatMiB, readUint32BE } from './byte-input.js';
import { DecompressionGuard, DecompressionLimitError } from './decompression-guard.js';
import { DEFAULT_LIMITS, type IngestLimits, howToRaise } from './limits.js';
import type { SpanSink } from './span-sink.js';

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Bytes needed to tell the layouts apart: a length prefix, then the zstd magic number. */
export const ZSTD_PROBE_BYTES = 8;

const STREAM = 'zstd stream';
const FRAMED = "zstd, length-prefixed frames (the Collector file exporter's legacy layout)";

type Layout = typeof STREAM | typeof FRAMED;

function hasMagicAt(head: Uint8Array, at: number): boolean {
  return head.length >= at + 4 && ZSTD_MAGIC.every((b, i) => head[at + i] === b);
}

function detectLayout(head: Uint8Array): Layout | null {
  if (hasMagicAt(head, 0)) return STREAM;
  if (hasMagicAt(head, 4) && readUint32BE(head) > 4) return FRAMED;
  return null;
}

/** Whether the first bytes of an input are zstd data in either layout. */
export function isZstdInput(head: Uint8Array): boolean {
  return detectLayout(head) !== null;
}

/**
 * Decompresses `chunks` (whose first bytes are `head`) and reads the result with `readDecoded`,
 * which resolves to the number of lines (or frames) it read. Damage ends the data: what was
 * decompressed before it is read, then a rejection names the layout and the compressed byte.
 */
export async function readZstd(
  chunks: AsyncIterable<Uint8Array>,
  head: Uint8Array,
  file: string,
  sink: SpanSink,
  readDecoded: (bytes: AsyncIterable<Uint8Array>) => Promise<number>,
  limits: IngestLimits = DEFAULT_LIMITS,
): Promise<void> {
  const layout = detectLayout(head) ?? STREAM;
  let failure: string | null = null;
  const onFailure = (reason: string) => {
    failure = reason;
  };
  const guard = new DecompressionGuard(limits, layout === STREAM ? 'the zstd data' : 'the zstd frames');
  const bytes = (layout === STREAM ? decompressStream(chunks, onFailure, guard) : decompressFrames(chunks, onFailure, guard, limits.maxMessageBytes))[Symbol.asyncIterator]();
  const first = await bytes.next();
  if (first.done === true && failure !== null) {
    sink.reject({ file, line: 1, field: null, reason: `${layout}: ${failure as string}; nothing could be read` });
    return;
  }
  const lines = await readDecoded(prepend(first, bytes));
  if (failure !== null) sink.reject({ file, line: lines, field: null, reason: `${layout}: ${failure}; records before it were read` });
}

async function* prepend(first: IteratorResult<Uint8Array>, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (first.done === true) return;
  yield first.value;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

async function* decompressStream(chunks: AsyncIterable<Uint8Array>, onFailure: (reason: string) => void, guard: DecompressionGuard): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  // fzstd may hand out views of its window, which later input overwrites: keep copies.
  // The guard throws from inside a push, so one small chunk cannot expand without bound.
  const decompressor = new Decompress((data) => {
    if (data.length === 0) return;
    guard.addOrThrow(data.length);
    out.push(Uint8Array.from(data));
  });
  let offset = 0;
  try {
    for await (const chunk of chunks) {
      offset += chunk.length;
      guard.compressed = offset;
      decompressor.push(chunk);
      while (out.length > 0) yield out.shift()!;
    }
    decompressor.push(new Uint8Array(0), true);
  } catch (error) {
    yield* out.splice(0);
    if (error instanceof DecompressionLimitError) onFailure(error.message);
    else onFailure(`damaged or truncated within the first ${offset} compressed bytes (${(error as Error).message})`);
    return;
  }
  yield* out.splice(0);
}

const NEWLINE = Uint8Array.of(0x0a);

async function* decompressFrames(
  chunks: AsyncIterable<Uint8Array>,
  onFailure: (reason: string) => void,
  guard: DecompressionGuard,
  maxMessageBytes: number,
): AsyncGenerator<Uint8Array> {
  const input = new ByteInput(chunks);
  let frame = 0;
  let isJson: boolean | null = null;
  while (await input.ensure(1)) {
    frame++;
    const at = input.offset;
    if (!(await input.ensure(4))) {
      onFailure(`frame ${frame} at byte ${at}: ${input.buffered} byte(s) left, too few for a 4-byte length prefix (truncated file, or garbage after the last frame)`);
      return;
    }
    const length = readUint32BE(input.peek(4));
    if (length > maxMessageBytes) {
      onFailure(
        `frame ${frame} at byte ${at}: length prefix ${length} is over limits.maxMessageBytes (${formatMiB(maxMessageBytes)}) ` +
          `(damaged length prefix or garbage; if the frame is real, ${howToRaise('maxMessageBytes')})`,
      );
      return;
    }
    input.take(4);
    if (!(await input.ensure(length))) {
      onFailure(`frame ${frame} at byte ${at}: truncated: its length prefix says ${length} bytes, only ${input.buffered} follow`);
      return;
    }
    const message = decompressFrame(input.take(length), maxMessageBytes);
    if (typeof message === 'string') {
      onFailure(`frame ${frame} at byte ${at}: ${message}`);
      return;
    }
    guard.compressed = input.offset;
    const breach = guard.add(message.length);
    if (breach !== null) {
      onFailure(breach);
      return;
    }
    isJson ??= isJsonText(message);
    if (isJson) {
      yield message;
      yield NEWLINE;
    } else {
      const prefix = new Uint8Array(4);
      new DataView(prefix.buffer).setUint32(0, message.length);
      yield prefix;
      yield message;
    }
  }
}

/** One frame's message, or why it cannot be decompressed. */
function decompressFrame(compressed: Uint8Array, maxMessageBytes: number): Uint8Array | string {
  const parts: Uint8Array[] = [];
  let size = 0;
  const decompressor = new Decompress((data) => {
    size += data.length;
    if (size > maxMessageBytes) throw new DecompressionLimitError(`decompresses to more than limits.maxMessageBytes (${formatMiB(maxMessageBytes)}); ${howToRaise('maxMessageBytes')}`);
    parts.push(Uint8Array.from(data));
  });
  try {
    decompressor.push(compressed, true);
  } catch (error) {
    if (error instanceof DecompressionLimitError) return error.message;
    return `not a complete zstd frame (${(error as Error).message})`;
  }
  return Buffer.concat(parts, size);
}

function isJsonText(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}
