/**
 * Fuzzing of every reader with fast-check: random bytes, and valid inputs damaged the ways files
 * get damaged (bytes flipped, inserted or deleted, a cut at any point, two files spliced), fed in
 * chunks of random sizes. Each run must end (bounded by a timeout) without an exception escaping,
 * hold a bounded heap, and deliver spans only with valid ids.
 *
 * `npm test` runs a modest number of cases per property (the suite takes a few seconds); set
 * ROLLGRAPH_FUZZ_RUNS for a longer run, e.g. `ROLLGRAPH_FUZZ_RUNS=20000 npx vitest run test/hostile/fuzz.test.ts`.
 * A failure prints the seed and path to replay it (fast-check's `seed` and `path` parameters).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rejection, Span } from '../../src/model.js';
import { readCsvSpans } from '../../src/ingest/read-csv-spans.js';
import { readInput } from '../../src/ingest/read-input.js';
import { readJaegerJson } from '../../src/ingest/read-jaeger-json.js';
import { readOtlpJson } from '../../src/ingest/read-otlp-json.js';
import { readOtlpProtobuf } from '../../src/ingest/read-otlp-protobuf.js';
import { readZipkinJson } from '../../src/ingest/read-zipkin-json.js';
import { readZstd } from '../../src/ingest/read-zstd.js';
import type { SpanSink } from '../../src/ingest/span-sink.js';
import { ROOT } from '../helpers/cli.js';
import { otlpLines, KIND } from '../helpers/otlp.js';

const RUNS = Number(process.env.ROLLGRAPH_FUZZ_RUNS ?? 200);
const RUN_TIMEOUT_MS = 5_000;
/** Heap a single run may add, whatever the input: far above what a few KB of input needs. */
const HEAP_GROWTH_BOUND = 256 * 1024 * 1024;

const fixture = (path: string) => new Uint8Array(readFileSync(join(ROOT, path)));

const OTLP = new TextEncoder().encode(
  otlpLines([
    { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'peer.service': 'payments' } }] },
    { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
  ]),
);
const JAEGER = fixture('fixtures/real/jaeger-ui/tracegraph-testTrace.json');
const ZIPKIN = fixture('fixtures/real/zipkin-itdependencies/getDependencies.json');
const PROTOBUF = fixture('fixtures/protobuf/grafana-agent-trace-sample.binpb');
const ZSTD = fixture('fixtures/protobuf/demo-day1-traces.jsonl.zst').subarray(0, 4096);
const CSV = new TextEncoder().encode(
  'traceId,spanId,parentId,serviceName,operationName,startTime\n' +
    '5b8efff798038103d269b633813fc60c,eee19b7ec3c1b174,,checkout,"GET /pay",1764000000000\n' +
    '5b8efff798038103d269b633813fc60c,eee19b7ec3c1b175,eee19b7ec3c1b174,payments,"GET /pay",1764000000001\n',
);

type Reader = (chunks: AsyncIterable<Uint8Array>, sink: SpanSink) => Promise<unknown>;

const READERS: Record<string, { valid: Uint8Array; read: Reader }> = {
  'readInput (sniffing, OTLP/JSON)': { valid: OTLP, read: (c, s) => readInput(c, 'f', s) },
  'OTLP/JSON': { valid: OTLP, read: (c, s) => readOtlpJson(c, 'f', s) },
  'Jaeger JSON': { valid: JAEGER, read: (c, s) => readJaegerJson(c, 'f', s) },
  'Zipkin JSON': { valid: ZIPKIN, read: (c, s) => readZipkinJson(c, 'f', s) },
  'OTLP protobuf': { valid: PROTOBUF, read: (c, s) => readOtlpProtobuf(c, 'f', s) },
  zstd: { valid: ZSTD, read: (c, s) => readInput(c, 'f', s) },
  'zstd (reader)': { valid: ZSTD, read: (c, s) => readZstd(c, ZSTD.subarray(0, 8), 'f', s, (bytes) => readOtlpJson(bytes, 'f', s)) },
  CSV: { valid: CSV, read: (c, s) => readCsvSpans(c, 'f', s) },
};

/** A damage done to a valid file. */
type Mutation =
  | { kind: 'flip'; at: number; bits: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip' && out.length > 0) out[at] = out[at]! ^ m.bits;
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    else if (m.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
    else if (m.kind === 'truncate') out = out.subarray(0, at);
  }
  return out;
}

async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const HEX_ID = /^[0-9a-f]{16}$/;

/** Runs one reader on `bytes`: it must end in time, throw nothing, and keep its heap bounded. */
async function readSafely(read: Reader, bytes: Uint8Array, chunkSize: number): Promise<void> {
  const spans: Span[] = [];
  const rejections: Rejection[] = [];
  const sink: SpanSink = { span: (s) => void spans.push(s), reject: (r) => void rejections.push(r), warn: () => {} };
  const heapBefore = process.memoryUsage().heapUsed;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${RUN_TIMEOUT_MS} ms on ${bytes.length} bytes (a hang?)`)), RUN_TIMEOUT_MS);
  });
  try {
    await Promise.race([read(inChunks(bytes, chunkSize), sink), timeout]);
  } finally {
    clearTimeout(timer);
  }
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(HEAP_GROWTH_BOUND);
  for (const span of spans) {
    expect(typeof span.traceId).toBe('string');
    expect(span.traceId).not.toBe('');
    if (HEX_ID.test(span.spanId)) expect(span.spanId).not.toBe('0'.repeat(16));
  }
  for (const r of rejections) {
    expect(r.file).toBe('f');
    expect(r.line).toBeGreaterThanOrEqual(1);
    expect(r.reason).not.toMatch(/^\s*$/);
  }
}

const chunkSize = fc.integer({ min: 1, max: 4096 });

describe.each(Object.entries(READERS))('fuzzing %s', (_name, { valid, read }) => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), chunkSize, (bytes, size) => readSafely(read, bytes, size)),
      { numRuns: RUNS },
    );
  });

  it('a valid file damaged: bytes flipped, inserted, deleted, cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 8 }), chunkSize, (mutations, size) => readSafely(read, mutate(valid, mutations), size)),
      { numRuns: RUNS },
    );
  });

  it('two valid files spliced at random points', async () => {
    const others = Object.values(READERS).map((r) => r.valid);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...others), fc.nat(), fc.nat(), chunkSize, (other, cutA, cutB, size) => {
        const spliced = Buffer.concat([valid.subarray(0, cutA % (valid.length + 1)), other.subarray(cutB % (other.length + 1))]);
        return readSafely(read, spliced, size);
      }),
      { numRuns: RUNS },
    );
  });
});
