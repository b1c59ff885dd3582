#!/usr/bin/env node
/**
 * Writes the hostile-input corpus of fixtures/hostile/: damaged, foreign, oversized and
 * adversarial trace files, each with the result fixtures/hostile/expected.json documents and
 * test/hostile/corpus.test.ts checks through the CLI. Deterministic: same bytes on every run.
 *
 *   node scripts/generate-hostile.mjs                 # the small files, into fixtures/hostile/
 *   node scripts/generate-hostile.mjs --large DIR     # the large ones (megabytes), into DIR
 *
 * The large files (a 5 MB attribute value, 10,000 levels of nesting inside an attribute,
 * gzip and zstd bombs) are not kept in the repository: the test writes them to a temporary
 * directory with `--large`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const TRACE = '5b8efff798038103d269b633813fc60c';
const CLIENT_ID = 'eee19b7ec3c1b174';
const SERVER_ID = 'eee19b7ec3c1b175';
const START = '1764000000000000000';

function span(fields) {
  return { traceId: TRACE, name: 'GET /pay', startTimeUnixNano: START, endTimeUnixNano: '1764000000000500000', ...fields };
}

function document(service, spans) {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'hostile' }, spans }] }] };
}

/** checkout (CLIENT) calls payments (SERVER): the pair most files carry, one edge. */
const checkout = document('checkout', [span({ spanId: CLIENT_ID, kind: 3 })]);
const payments = document('payments', [span({ spanId: SERVER_ID, parentSpanId: CLIENT_ID, kind: 2 })]);
const pairLines = [JSON.stringify(checkout), JSON.stringify(payments)];
const pairText = pairLines.join('\n') + '\n';

function utf16be(text) {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return le;
}

function withId(doc, fields) {
  const copy = structuredClone(doc);
  Object.assign(copy.resourceSpans[0].scopeSpans[0].spans[0], fields);
  return JSON.stringify(copy);
}

/** The small files: name -> bytes. */
export function smallCorpus() {
  const files = {};
  files['empty.json'] = Buffer.alloc(0);
  files['bom.jsonl'] = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pairText)]);
  files['utf16le.jsonl'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pairText, 'utf16le')]);
  files['utf16be.jsonl'] = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(pairText)]);
  files['crlf.jsonl'] = Buffer.from(pairLines.join('\r\n') + '\r\n');
  // A pretty-printed document cut short inside the payments resource: the checkout span was read.
  const pretty = JSON.stringify({ resourceSpans: [...checkout.resourceSpans, ...payments.resourceSpans] }, null, 2);
  files['truncated.json'] = Buffer.from(pretty.slice(0, pretty.lastIndexOf('"parentSpanId"')));
  files['garbage-lines.jsonl'] = Buffer.from(`${pairLines[0]}\nthis is not json\n\u0000\u0001\u0002binary\n${pairLines[1]}\n`);
  files['concatenated.json'] = Buffer.from(JSON.stringify(checkout, null, 2) + JSON.stringify(payments, null, 2));
  files['bad-ids.jsonl'] = Buffer.from(
    [
      withId(checkout, { spanId: `${CLIENT_ID}ab` }),
      withId(checkout, { traceId: '0'.repeat(32) }),
      withId(checkout, { spanId: '' }),
      withId(checkout, { traceId: 'not-a-trace-id-at-all-0123456789' }),
      ...pairLines,
    ].join('\n') + '\n',
  );
  files['conflicting-duplicate.jsonl'] = Buffer.from(`${pairText}${withId(checkout, { name: 'a different operation' })}\n`);
  files['self-parent.jsonl'] = Buffer.from(`${withId(checkout, { parentSpanId: CLIENT_ID })}\n${pairLines[1]}\n`);
  // A parent of B, B parent of A, in two services: pairing must end, whatever it makes of it.
  files['parent-cycle.jsonl'] = Buffer.from(`${withId(checkout, { parentSpanId: SERVER_ID })}\n${pairLines[1]}\n`);
  files['unknown-enums.jsonl'] = Buffer.from(`${withId(checkout, { kind: 9 })}\n${withId(payments, { kind: 'server' })}\n${pairText}`);
  // Unquoted nanoseconds beyond 2^53 and an intValue beyond 2^63.
  files['big-numbers.jsonl'] = Buffer.from(
    pairLines[0].replace(`"startTimeUnixNano":"${START}"`, '"startTimeUnixNano":1764000000123456789') +
      '\n' +
      pairLines[1].replace('"kind":2', '"kind":2,"attributes":[{"key":"big","value":{"intValue":123456789012345678901234567890}}]') +
      '\n',
  );
  files['low-high.jsonl'] = Buffer.from(
    pairText.replaceAll(`"startTimeUnixNano":"${START}"`, '"startTimeUnixNano":{"low":-1013133952,"high":395276536}'),
  );
  files['logs.jsonl'] = Buffer.from('{"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hello"}}]}]}]}\n');
  files['metrics-among-traces.jsonl'] = Buffer.from(`${pairLines[0]}\n{"resourceMetrics":[]}\n${pairLines[1]}\n`);
  files['zipkin-v1.json'] = Buffer.from(
    JSON.stringify([
      {
        traceId: 'd269b633813fc60c',
        id: 'eee19b7ec3c1b174',
        name: 'get',
        annotations: [{ timestamp: 1764000000000000, value: 'cs', endpoint: { serviceName: 'checkout', ipv4: '10.0.0.1' } }],
        binaryAnnotations: [{ key: 'sa', value: true, endpoint: { serviceName: 'payments' } }],
      },
    ]),
  );
  files['broken-quote.csv'] = Buffer.from(
    'traceId,spanId,parentId,serviceName,operationName,startTime\n' +
      `${TRACE},${CLIENT_ID},,checkout,GET /pay,1764000000000\n` +
      `${TRACE},${SERVER_ID},${CLIENT_ID},payments,GET /pay,1764000000001\n` +
      `${TRACE},eee19b7ec3c1b176,${SERVER_ID},"payments,charge,1764000000002\n` +
      `${TRACE},eee19b7ec3c1b177,${SERVER_ID},ledger,write,1764000000003\n`,
  );
  files['jaeger-missing-process.json'] = Buffer.from(
    JSON.stringify({
      data: [
        {
          traceID: TRACE,
          spans: [
            { traceID: TRACE, spanID: CLIENT_ID, operationName: 'GET /pay', references: [], startTime: 1764000000000000, duration: 5, tags: [{ key: 'span.kind', type: 'string', value: 'client' }], processID: 'p1' },
            { traceID: TRACE, spanID: SERVER_ID, operationName: 'GET /pay', references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: CLIENT_ID }], startTime: 1764000000000001, duration: 3, tags: [{ key: 'span.kind', type: 'string', value: 'server' }], processID: 'p2' },
          ],
          processes: { p1: { serviceName: 'checkout', tags: [] } },
        },
      ],
    }),
  );
  const gz = gzipSync(Buffer.from(pairText.repeat(20)));
  files['truncated.jsonl.gz'] = gz.subarray(0, Math.floor(gz.length * 0.6));
  const zst = readFileSync(join(ROOT, 'fixtures/protobuf/demo-day1-traces.jsonl.zst'));
  files['truncated.jsonl.zst'] = zst.subarray(0, 12_000);
  const binpb = readFileSync(join(ROOT, 'fixtures/protobuf/demo-day1-traces.binpb'));
  files['truncated-frames.binpb'] = binpb.subarray(0, 30_000);
  // 10,000 nested arrays at the top of the file.
  files['deep-top.json'] = Buffer.from('['.repeat(10_000) + ']'.repeat(10_000) + '\n');
  return files;
}

/** An AnyValue nested `levels` kvlists deep. */
function deepValue(levels) {
  let text = '{"stringValue":"bottom"}';
  for (let i = 0; i < levels; i++) text = `{"kvlistValue":{"values":[{"key":"k","value":${text}}]}}`;
  return text;
}

/**
 * A zstd frame of RLE blocks: each 4-byte block expands to 128 KiB of spaces (RFC 8878 §3.1.1),
 * so `blocks` blocks make a file that expands 32,768 times.
 */
function zstdRleBomb(blocks) {
  const BLOCK = 128 * 1024;
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]); // magic; no content size; 128 KiB window
  const body = Buffer.alloc(blocks * 4);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const value = (BLOCK << 3) | (1 << 1) | last; // Block_Size, Block_Type 1 (RLE), Last_Block
    body.writeUIntLE(value, i * 4, 3);
    body[i * 4 + 3] = 0x20;
  }
  return Buffer.concat([header, body]);
}

/** The large files: name -> bytes. */
export function largeCorpus() {
  const files = {};
  files['big-attribute.jsonl'] = Buffer.from(
    pairLines[0].replace('"kind":3', `"kind":3,"attributes":[{"key":"db.query.text","value":{"stringValue":"${'x'.repeat(5 * 1024 * 1024)}"}}]`) + '\n' + pairLines[1] + '\n',
  );
  files['deep-attribute.jsonl'] = Buffer.from(
    `${pairText}${pairLines[0].replace('"kind":3', `"kind":3,"attributes":[{"key":"deep","value":${deepValue(10_000)}}]`).replace(CLIENT_ID, 'eee19b7ec3c1b179')}\n`,
  );
  // The pair, then 160 MiB of blank space: gzip squeezes it about 1,000 times.
  const blank = Buffer.alloc(160 * 1024 * 1024, 0x20);
  files['gzip-bomb.jsonl.gz'] = gzipSync(Buffer.concat([Buffer.from(pairText), blank]), { level: 9 });
  files['zstd-bomb.zst'] = zstdRleBomb(64 * 1024); // 256 KiB expanding to 8 GiB
  return files;
}

function writeAll(files, dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--large');
  if (at >= 0) writeAll(largeCorpus(), process.argv[at + 1] ?? '.');
  else writeAll(smallCorpus(), join(ROOT, 'fixtures/hostile'));
}
