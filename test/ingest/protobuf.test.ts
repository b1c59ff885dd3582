import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { OTLP_TRACE_SCHEMA } from '../../src/ingest/proto/otlp-trace-schema.js';
import { looksLikeOtlpProtobuf } from '../../src/ingest/read-otlp-protobuf.js';
import { formatRejection } from '../../src/report/render-summary.js';
import { ROOT, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { KIND, deriveFiles, edgeLines, hexId, otlpDocument, otlpLines } from '../helpers/otlp.js';

const fixture = (name: string) => join(ROOT, 'fixtures', name);
const bytes = (name: string) => readFileSync(fixture(name));
const exportJson = (...inputs: string[]) => runCli(['export', '--input', ...inputs, '--format', 'json']);

const root = protobuf.Root.fromJSON(OTLP_TRACE_SCHEMA as protobuf.INamespace);
const TracesData = root.lookupType('opentelemetry.proto.trace.v1.TracesData');

/** An inline OTLP/JSON document encoded as protobuf, with ids turned into bytes. */
function encode(doc: Record<string, unknown>, edit: (span: Record<string, unknown>) => void = () => {}): Uint8Array {
  const copy = JSON.parse(JSON.stringify(doc)) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const resourceSpans = copy.resourceSpans.map((rs) => ({
    ...rs,
    scopeSpans: rs.scopeSpans.map((ss) => ({
      spans: ss.spans.map((span) => {
        const out: Record<string, unknown> = { ...span };
        hexToBytes(out);
        if (Array.isArray(out.links)) (out.links as Record<string, unknown>[]).forEach(hexToBytes);
        edit(out);
        return out;
      }),
    })),
  }));
  return TracesData.encode(TracesData.fromObject({ resourceSpans })).finish();
}

function hexToBytes(obj: Record<string, unknown>): void {
  for (const k of ['traceId', 'spanId', 'parentSpanId']) if (typeof obj[k] === 'string') obj[k] = Buffer.from(obj[k] as string, 'hex');
}

function framed(...messages: Uint8Array[]): Buffer {
  return Buffer.concat(
    messages.flatMap((m) => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(m.length);
      return [prefix, Buffer.from(m)];
    }),
  );
}

const pair = [
  { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client }] },
  { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
];
const messages = (d: Awaited<ReturnType<typeof deriveFiles>>) => d.rejected.map(formatRejection);

describe('OTLP protobuf gives exactly what the same data gives as OTLP/JSON', () => {
  it('an unframed ExportTraceServiceRequest of the grafana-agent TNS trace: the documented edges', async () => {
    const d = await deriveFiles({ 'tns.binpb': bytes('protobuf/grafana-agent-trace-sample.binpb') });
    // fixtures/real/grafana-agent/SOURCE.md: lb -> app sync 3 calls 1 error, app -> db sync 3 calls.
    expect(edgeLines(d)).toEqual(['app -> db sync 3/0', 'lb -> app sync 3/1']);
    expect(d.rejected).toEqual([]);
    const fromJson = await exportJson('fixtures/real/grafana-agent/trace-sample.json');
    const fromProtobuf = await exportJson('fixtures/protobuf/grafana-agent-trace-sample.binpb');
    expect(fromProtobuf.code).toBe(0);
    expect(fromProtobuf.stdout).toBe(fromJson.stdout);
  });

  it('the unpaired grafana-agent trace (every parentSpanId removed)', async () => {
    const fromJson = await exportJson('fixtures/real/grafana-agent/unpaired-trace-sample.json');
    const fromProtobuf = await exportJson('fixtures/protobuf/grafana-agent-unpaired-trace-sample.binpb');
    expect(fromProtobuf.stdout).toBe(fromJson.stdout);
  });

  it('demo day 1 in the file exporter proto layout, read with the gzip JSON file of the same day', async () => {
    const fromJson = await exportJson('fixtures/demo/day1/traces.jsonl', 'fixtures/demo/day1/traces-frontend.jsonl.gz');
    const fromProtobuf = await exportJson('fixtures/protobuf/demo-day1-traces.binpb', 'fixtures/demo/day1/traces-frontend.jsonl.gz');
    expect(fromProtobuf.stdout).toBe(fromJson.stdout);
    // fixtures/demo/README.md: day 1 has 152 traces, 1269 spans in total, and 16 edges.
    expect(fromProtobuf.stderr).toContain('read 2 inputs: 1,269 spans in 152 traces -> ');
    expect(JSON.parse(fromProtobuf.stdout).edges).toHaveLength(16);
    expect(fromProtobuf.stderr).not.toContain('rejected');
  });

  it('is recognised by content: the same bytes under any name, through the built binary too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'export.json'), bytes('protobuf/grafana-agent-trace-sample.binpb'));
    const renamed = spawnCli(['export', '--input', join(dir, 'export.json'), '--format', 'json']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toBe((await exportJson('fixtures/real/grafana-agent/trace-sample.json')).stdout);
  });
});

describe('what counts as protobuf', () => {
  it('the fixtures, framed and unframed', () => {
    expect(looksLikeOtlpProtobuf(bytes('protobuf/demo-day1-traces.binpb').subarray(0, 256))).toBe(true);
    expect(looksLikeOtlpProtobuf(bytes('protobuf/grafana-agent-trace-sample.binpb').subarray(0, 256))).toBe(true);
  });

  it('never text: JSON after any whitespace, with or without a byte-order mark, is JSON', () => {
    const whitespace = fc.array(fc.constantFrom(' ', '\n', '\r\n', '\t'), { maxLength: 6 }).map((a) => a.join(''));
    const ids = fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,3}$/), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(whitespace, ids, fc.constantFrom(undefined, 0, 1, 2, '\t'), fc.boolean(), fc.boolean(), (lead, spanIds, indent, bom, asArray) => {
        const doc = otlpDocument([{ service: 'checkout', spans: spanIds.map((id) => ({ id, kind: KIND.client })) }]);
        const text = lead + JSON.stringify(asArray ? [doc] : doc, null, indent);
        const head = Buffer.from((bom ? '\ufeff' : '') + text).subarray(0, 256);
        expect(looksLikeOtlpProtobuf(head, head.length < 256)).toBe(false);
      }),
    );
  });

  it('never text: JSON Lines, blank lines first', () => {
    for (const lead of ['', '\n', '\n\n', '\n \n', '\n\t', '\r\n']) {
      const head = Buffer.from(lead + otlpLines(pair)).subarray(0, 256);
      expect(looksLikeOtlpProtobuf(head, false)).toBe(false);
    }
  });

  it('CSV and plain text are not protobuf', () => {
    expect(looksLikeOtlpProtobuf(Buffer.from('trace_id,span_id,parent_id\n'), true)).toBe(false);
    expect(looksLikeOtlpProtobuf(Buffer.from('\nhello world\n'), true)).toBe(false);
  });
});

describe('damaged protobuf: records before the damage count, then a rejection naming file and position', () => {
  const good = encode(otlpDocument(pair));

  it('a truncated last frame', async () => {
    const file = framed(good, good);
    const d = await deriveFiles({ 'spans.binpb': file.subarray(0, file.length - 5) });
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(messages(d)).toEqual([`spans.binpb:2: frame 2 at byte ${4 + good.length}: truncated: its length prefix says ${good.length} bytes, only ${good.length - 5} follow`]);
  });

  it('a wrong length prefix: the frame does not decode, and the misaligned rest is not read as data', async () => {
    const file = framed(good, good);
    file.writeUInt32BE(good.length - 3, 4 + good.length); // second frame: 3 bytes short
    const d = await deriveFiles({ 'spans.binpb': file });
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(messages(d)[0]).toMatch(new RegExp(`^spans\\.binpb:2: frame 2 \\(bytes ${4 + good.length}-\\d+\\): not a valid OTLP protobuf TracesData message`));
    expect(messages(d).length).toBe(2);
    expect(messages(d)[1]).toMatch(/^spans\.binpb:3: frame 3 at byte \d+: /);
  });

  it('garbage after a valid frame', async () => {
    const d = await deriveFiles({ 'spans.binpb': Buffer.concat([framed(good), Buffer.from('#### end of export ####\n')]) });
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(messages(d)).toEqual([
      `spans.binpb:2: frame 2 at byte ${4 + good.length}: length prefix ${Buffer.from('####').readUInt32BE()} is over limits.maxMessageBytes (256 MiB): ` +
        'a damaged length prefix, or garbage after the last frame; nothing after it was read (if the frame is real, raise limits.maxMessageBytes in the config file to read it)',
    ]);
  });

  it('a few stray bytes after the last frame', async () => {
    const d = await deriveFiles({ 'spans.binpb': Buffer.concat([framed(good), Buffer.from([0, 0])]) });
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(messages(d)).toEqual([`spans.binpb:2: frame 2 at byte ${4 + good.length}: 2 byte(s) left, too few for a 4-byte length prefix (truncated file, or garbage after the last frame)`]);
  });

  it('a frame that is protobuf but not trace data is not silently zero spans', async () => {
    const notTraces = Buffer.from([0x10, 0x01]); // field 2, varint: not a TracesData field
    const d = await deriveFiles({ 'spans.binpb': framed(good, notTraces) });
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(messages(d)).toEqual([`spans.binpb:2: frame 2 (bytes ${4 + good.length}-${8 + good.length + 2}): no resourceSpans: not OTLP trace data`]);
  });

  it('a truncated unframed message', async () => {
    const d = await deriveFiles({ 'request.binpb': bytes('protobuf/grafana-agent-trace-sample.binpb').subarray(0, 5000) });
    expect(edgeLines(d)).toEqual([]);
    expect(messages(d)).toEqual([expect.stringMatching(/^request\.binpb:1: the message \(bytes 0-5000\): not a valid OTLP protobuf TracesData message \(index out of range/)]);
  });

  it('a span whose ids have the wrong length is rejected with its path; the others count', async () => {
    const badTrace = encode(otlpDocument([{ service: 'checkout', spans: [{ id: 'x1', kind: KIND.client }] }]), (s) => {
      s.traceId = Buffer.alloc(10, 1);
    });
    const badParent = encode(otlpDocument([{ service: 'checkout', spans: [{ id: 'x2', parent: 'c1', kind: KIND.client }] }]), (s) => {
      s.parentSpanId = Buffer.alloc(9, 1);
    });
    const noSpanId = encode(otlpDocument([{ service: 'checkout', spans: [{ id: 'x3', kind: KIND.client }] }]), (s) => {
      delete s.spanId;
    });
    const d = await deriveFiles({ 'spans.binpb': framed(good, badTrace, badParent, noSpanId) });
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    const at = (n: number, lengths: number[]) => {
      const start = lengths.slice(0, n - 1).reduce((sum, l) => sum + 4 + l, 0);
      return `frame ${n} (bytes ${start}-${start + 4 + lengths[n - 1]!})`;
    };
    const lengths = [good.length, badTrace.length, badParent.length, noSpanId.length];
    expect(messages(d)).toEqual([
      `spans.binpb:2: resourceSpans[0].scopeSpans[0].spans[0].traceId: 10 bytes, expected 16 (in ${at(2, lengths)})`,
      `spans.binpb:3: resourceSpans[0].scopeSpans[0].spans[0].parentSpanId: 9 bytes, expected 8 (in ${at(3, lengths)})`,
      `spans.binpb:4: resourceSpans[0].scopeSpans[0].spans[0].spanId: missing (in ${at(4, lengths)})`,
    ]);
  });

  it('ids, times, kinds, status and links read as in OTLP/JSON', async () => {
    const doc = otlpDocument([
      { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, error: true, attrs: { 'peer.service': 'payments', 'http.response.status_code': 502 } }] },
      { service: 'order-worker', spans: [{ id: 'w1', kind: KIND.consumer, links: [{ id: 'c1' }], trace: hexId('t2', 32) }] },
    ]);
    const fromJson = await deriveFiles({ 'a.json': JSON.stringify(doc) });
    const fromProtobuf = await deriveFiles({ 'a.binpb': Buffer.from(encode(doc)) });
    expect(fromProtobuf.view).toEqual(fromJson.view);
    expect(fromProtobuf.rejected).toEqual([]);
  });
});
