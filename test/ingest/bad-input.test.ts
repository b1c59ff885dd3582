import { describe, expect, it } from 'vitest';
import { formatRejection } from '../../src/report/render-summary.js';
import { KIND, derive, deriveFiles, edgeLines, gzip, hexId, otlpLines } from '../helpers/otlp.js';

const pair = [
  { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client }] },
  { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
];
const EXPECTED = ['checkout -> payments sync 1/0'];

const messages = (d: Awaited<ReturnType<typeof derive>>) => d.rejected.map(formatRejection);

describe('rejected records name file, line and field; good records still count', () => {
  it('a malformed line among good JSON Lines', async () => {
    const [first, second] = otlpLines(pair).trim().split('\n');
    const d = await derive(`${first}\n{"resourceSpans": [{"resource": oops}]}\n${second}\n`);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(messages(d)).toEqual([expect.stringMatching(/^traces\.json:2: resourceSpans\[0\]\.resource: invalid JSON/)]);
  });

  it('a truncated line (a record cut short by a crash) among good ones', async () => {
    const [first, second] = otlpLines(pair).trim().split('\n');
    const d = await derive(`${first}\n${second!.slice(0, 150)}\n${second}\n${first!.slice(0, 20)}`);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(messages(d)).toEqual([
      expect.stringMatching(/^traces\.json:2: .*line ends inside/),
      expect.stringMatching(/^traces\.json:4: .*truncated/),
    ]);
  });

  it('garbage that is not JSON among good lines', async () => {
    const [first, second] = otlpLines(pair).trim().split('\n');
    const d = await derive(`${first}\nthis is not json\n${second}\n`);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(messages(d)).toEqual(["traces.json:2: invalid JSON: invalid literal 'this'"]);
  });

  it('invalid ids, with the path of the field and what was expected', async () => {
    const good = otlpLines(pair);
    const badSpanId = otlpLines([{ service: 'checkout', spans: [{ id: 'x1', kind: KIND.client }] }]).replace(
      `"spanId":"${hexId('x1', 16)}"`,
      `"spanId":"${hexId('x1', 16)}ab"`,
    );
    const zeroTrace = otlpLines([{ service: 'checkout', spans: [{ id: 'x2', kind: KIND.client }] }]).replace(/"traceId":"[0-9a-f]+"/, `"traceId":"${'0'.repeat(32)}"`);
    const notHex = otlpLines([{ service: 'checkout', spans: [{ id: 'x3', kind: KIND.client }] }]).replace(/"traceId":"[0-9a-f]+"/, `"traceId":"not-a-trace-id"`);
    const d = await derive(good + badSpanId + zeroTrace + notHex);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(messages(d)).toEqual([
      'traces.json:3: resourceSpans[0].scopeSpans[0].spans[0].spanId: 18 hex characters, expected 16',
      'traces.json:4: resourceSpans[0].scopeSpans[0].spans[0].traceId: all zeros (invalid id)',
      'traces.json:5: resourceSpans[0].scopeSpans[0].spans[0].traceId: not a hex id: "not-a-trace-id"',
    ]);
  });

  it('a kind that is neither a number nor an enum name', async () => {
    const d = await derive(otlpLines(pair).replace('"kind":3', '"kind":"client"'));
    expect(messages(d)).toEqual(['traces.json:1: resourceSpans[0].scopeSpans[0].spans[0].kind: not a span kind: "client"']);
  });

  it('points at the line of the span in a pretty-printed document', async () => {
    const doc = JSON.parse(otlpLines(pair).split('\n')[0]!);
    doc.resourceSpans[0].scopeSpans[0].spans.push({ ...doc.resourceSpans[0].scopeSpans[0].spans[0], spanId: 'abc' });
    const text = JSON.stringify(doc, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"spanId": "abc"'));
    const d = await derive(text);
    expect(d.rejected[0]!.line).toBeLessThan(line + 1);
    expect(d.rejected[0]!.line).toBeGreaterThan(line - 15);
    expect(d.rejected[0]!.field).toBe('resourceSpans[0].scopeSpans[0].spans[1].spanId');
  });
});

describe('inputs with nothing usable', () => {
  it('OTLP logs or metrics in a trace file', async () => {
    const d = await deriveFiles({ 'logs.jsonl': '{"resourceLogs":[{"resource":{},"scopeLogs":[]}]}\n', 'metrics.json': '{"resourceMetrics":[]}' });
    expect(d.unusable).toEqual(['logs.jsonl', 'metrics.json']);
    expect(messages(d)).toEqual(['logs.jsonl:1: resourceLogs: this is OTLP logs data, not traces', 'metrics.json:1: resourceMetrics: this is OTLP metrics data, not traces']);
  });

  it('JSON that is not an OTLP trace export says what it looks like', async () => {
    const d = await deriveFiles({
      // Jaeger and Zipkin JSON are read (test/ingest/jaeger.test.ts, zipkin.test.ts); a "data" key holding no traces is not.
      'jaeger.json': '{"data":"none"}',
      'other.json': '{"hello":"world"}',
      'scalar.json': '42',
    });
    expect(d.unusable).toHaveLength(3);
    expect(messages(d)).toEqual([
      'jaeger.json:1: looks like Jaeger JSON (a "data" key), not OTLP/JSON traces',
      'other.json:1: no resourceSpans: not an OTLP trace document (keys: "hello")',
      expect.stringMatching(/^scalar\.json:1: not JSON, nor a CSV span table: rollgraph reads /),
    ]);
  });

  it('a file of foreign records is one rejection, with a count', async () => {
    const span = '{"traceId":"5af7183fb1d4cf5f","id":"6b221d5bc9e6496c","localEndpoint":{"serviceName":"a"}}';
    // Zipkin spans one per line (not a Zipkin array, which is read) are foreign records.
    const d = await deriveFiles({ 'zipkin.jsonl': `${span}\n${span}\n${span}\n` });
    expect(messages(d)).toEqual(['zipkin.jsonl:1: looks like a Zipkin span, not OTLP/JSON traces (and 2 more records like it)']);
  });

  it('a resourceSpans that is not an array says so', async () => {
    const d = await deriveFiles({ 'obj.json': '{"resourceSpans":{"x":1}}' });
    expect(messages(d)).toEqual(['obj.json:1: resourceSpans: expected an array of resourceSpans, got an object']);
  });

  it('empty and whitespace-only files, and binary data', async () => {
    const d = await deriveFiles({ 'empty.json': '', 'blank.jsonl': '\n\n  \n', 'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]) });
    expect(d.unusable).toEqual(['empty.json', 'blank.jsonl', 'image.png']);
    expect(messages(d)).toEqual([
      'empty.json:1: empty input: no trace data',
      'blank.jsonl:1: no JSON value: the input is empty',
      expect.stringMatching(/^image\.png:1: not JSON/),
    ]);
  });

  it('damaged zstd is named as such', async () => {
    const d = await deriveFiles({ 'traces.zst': Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]) });
    expect(messages(d)).toEqual([expect.stringMatching(/^traces\.zst:1: zstd stream: damaged or truncated/)]);
  });
});

describe('truncated gzip', () => {
  it('keeps the records before the damage and reports it', async () => {
    const lines = otlpLines(pair) + otlpLines([{ service: 'cart', spans: Array.from({ length: 200 }, (_, i) => ({ id: `k${i}`, kind: KIND.server })) }]);
    const whole = gzip(lines);
    const d = await deriveFiles({ 'traces.jsonl.gz': whole.subarray(0, Math.floor(whole.length * 0.7)) });
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.unusable).toEqual([]);
    expect(messages(d).join('\n')).toMatch(/traces\.jsonl\.gz:\d+: gzip data is damaged or truncated \(unexpected end of file\)/);
  });

  it('a gzip header with nothing after it is unusable', async () => {
    const d = await deriveFiles({ 'traces.jsonl.gz': gzip(otlpLines(pair)).subarray(0, 12) });
    expect(d.unusable).toEqual(['traces.jsonl.gz']);
  });
});
