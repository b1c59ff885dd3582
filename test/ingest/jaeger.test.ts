/**
 * Jaeger JSON read directly: the jaeger-ui fixtures with the answers their SOURCE.md gives, the
 * envelopes the query API and the UI write, references, tags, processes, and malformed input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/model.js';
import { readJaegerJson } from '../../src/ingest/read-jaeger-json.js';
import { sniffJsonTraceFormat } from '../../src/ingest/read-json-traces.js';
import { formatRejection } from '../../src/report/render-summary.js';
import { runCli } from '../helpers/cli.js';
import { derive, edgeLines } from '../helpers/otlp.js';

const REAL = new URL('../../fixtures/real/jaeger-ui/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, REAL));
const messages = (d: Awaited<ReturnType<typeof derive>>) => d.rejected.map(formatRejection);

async function readSpans(text: string): Promise<{ spans: Span[]; warnings: string[]; rejected: string[] }> {
  const spans: Span[] = [];
  const warnings: string[] = [];
  const rejected: string[] = [];
  await readJaegerJson(
    (async function* () {
      yield Buffer.from(text);
    })(),
    'trace.json',
    { span: (s) => spans.push(s), reject: (r) => rejected.push(formatRejection(r)), warn: (_f, m, n) => warnings.push(`${m}: ${n ?? 1}`) },
  );
  return { spans, warnings, rejected };
}

describe('format sniffing picks Jaeger from the content', () => {
  it('the query API envelope, the UI state dump, a bare trace, an array of traces', () => {
    expect(sniffJsonTraceFormat(Buffer.from('{"data":[{"traceID":"a1","spans":[]}],"total":0,"limit":0,"offset":0,"errors":null}'))).toBe('jaeger');
    expect(sniffJsonTraceFormat(read('pyroscope-ride-sharing-trace.json').subarray(0, 4096))).toBe('jaeger');
    expect(sniffJsonTraceFormat(read('tracegraph-testTrace.json').subarray(0, 4096))).toBe('jaeger');
    expect(sniffJsonTraceFormat(Buffer.from('[{"traceID":"a1","spans":[],"processes":{}}]'))).toBe('jaeger');
  });

  it('OTLP and unknown documents stay with the OTLP reader, which names what they look like', async () => {
    expect(sniffJsonTraceFormat(Buffer.from('{"resourceSpans":[]}'))).toBe('otlp');
    expect(sniffJsonTraceFormat(Buffer.from('{"data":"none"}'))).toBe('otlp');
    const d = await derive('{"data":"none"}');
    expect(messages(d)).toEqual(['traces.json:1: looks like Jaeger JSON (a "data" key), not OTLP/JSON traces']);
  });
});

describe('jaeger-ui fixtures (SOURCE.md "EXPECTED ANSWERS")', () => {
  it('pyroscope-ride-sharing-trace.json (UI state dump): load-generator -> ride-sharing-app, 1 call, 0 errors', async () => {
    const d = await derive(read('pyroscope-ride-sharing-trace.json'));
    expect(edgeLines(d)).toEqual(['load-generator -> ride-sharing-app sync 1/0']);
    expect(d.rejectedCount).toBe(0);
    // The root OrderVehicle span has no kind: no caller is invented for load-generator.
    expect(d.view.nodes.map((n) => n.id)).toEqual(['load-generator', 'ride-sharing-app']);
  });

  it('pyroscope-ride-sharing-trace.json: the chain OrderVehicle -> HTTP GET -> BikeHandler -> FindNearestVehicle (convertOtelTraceToFlameData.test.ts)', async () => {
    const { spans } = await readSpans(read('pyroscope-ride-sharing-trace.json').toString());
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chain = (s: Span | undefined): string[] => (s === undefined ? [] : [...chain(s.parentSpanId === null ? undefined : byId.get(s.parentSpanId)), s.name]);
    expect(chain(spans.find((s) => s.name === 'FindNearestVehicle'))).toEqual(['OrderVehicle', 'HTTP GET', 'BikeHandler', 'FindNearestVehicle']);
    expect(spans.map((s) => `${s.resource.service}:${s.name}:${s.kind}`)).toEqual([
      'load-generator:OrderVehicle:undefined',
      'load-generator:HTTP GET:2',
      'ride-sharing-app:BikeHandler:1',
      'ride-sharing-app:FindNearestVehicle:undefined',
    ]);
    expect(spans[0]!.startMs).toBe(1660049722779.884);
  });

  it('tracegraph-testTrace.json (synthetic, ids not hex): the calls CONTRACT §2 derives from SOURCE.md\'s span tree', async () => {
    const d = await derive(read('tracegraph-testTrace.json'));
    // SOURCE.md: service1 CLIENT op3 -> service2 SERVER op1 (RPC), and service1 PRODUCER op4 ->
    // service2 CONSUMER op3 through a FOLLOWS_FROM reference: parent/child across services, 2 calls.
    // R1 makes the first sync and the second async (the parent is a PRODUCER): two edges.
    expect(d.view.edges.map((e) => `${e.from} -> ${e.to} ${e.type} ${e.calls}/${e.errors} ${e.operations.map((o) => o.name).join(',')}`)).toEqual([
      'service1 -> service2 async 1/0 op3',
      'service1 -> service2 sync 1/0 op1',
    ]);
    // SOURCE.md's `user -> service1` is Tempo's invented node; under R5 the root SERVER op1 marks
    // service1 as an entry point instead.
    expect(d.view.nodes.find((n) => n.id === 'service1')?.entrypoint).toBe(true);
    // The two op2 CLIENT spans (one with error=true) have no server and no peer: no edge, two
    // unresolved exits (R3). The kind-less span with db.type=sql makes no database node.
    expect(d.stats.unresolvedExits).toBe(2);
    expect(d.view.nodes.map((n) => n.id)).toEqual(['service1', 'service2']);
    expect(d.warnings).toEqual(['Jaeger spans with ids that are not hex (e.g. "trace-123"), kept as given: they pair only with the same text: 11 in traces.json']);
  });

  it('the same trace in the query API envelope, as an array of traces, and with processes first', async () => {
    const trace = JSON.parse(read('tracegraph-testTrace.json').toString()) as { traceID: string; spans: unknown[]; processes: unknown };
    const expected = ['service1 -> service2 async 1/0', 'service1 -> service2 sync 1/0'];
    expect(edgeLines(await derive({ data: [trace], total: 0, limit: 0, offset: 0, errors: null }))).toEqual(expected);
    expect(edgeLines(await derive(JSON.stringify([trace])))).toEqual(expected);
    expect(edgeLines(await derive({ traceID: trace.traceID, processes: trace.processes, spans: trace.spans }))).toEqual(expected);
    // Read in small chunks, so the document spans many scanner writes.
    expect(edgeLines(await derive({ data: [trace] }, { chunkSize: 7 }))).toEqual(expected);
  });
});

/** A Jaeger span in compact form for the inline tests. */
function jaegerSpan(s: { trace?: string; id: string; refs?: { refType: string; spanID: string; traceID?: string }[]; process?: string; tags?: { key: string; type: string; value: unknown }[]; parentSpanID?: string }) {
  return {
    traceID: s.trace ?? '5a1b2c3d4e5f6071',
    spanID: s.id,
    operationName: `op-${s.id}`,
    references: (s.refs ?? []).map((r) => ({ traceID: s.trace ?? '5a1b2c3d4e5f6071', ...r })),
    startTime: 1704067200000000,
    duration: 1000,
    tags: s.tags ?? [],
    logs: [],
    processID: s.process ?? 'p1',
    warnings: null,
    ...(s.parentSpanID === undefined ? {} : { parentSpanID: s.parentSpanID }),
  };
}

const PROCESSES = {
  p1: { serviceName: 'checkout', tags: [{ key: 'service.version', type: 'string', value: '2.4.0' }, { key: 'deployment.environment', type: 'string', value: 'production' }] },
  p2: { serviceName: 'payments', tags: [{ key: 'deployment.environment.name', type: 'string', value: 'staging' }] },
};

describe('spans, references, tags and processes', () => {
  it('short ids are left-padded; processes give service, version and environment', async () => {
    const { spans } = await readSpans(JSON.stringify({ data: [{ traceID: '5a1b2c3d4e5f6071', spans: [jaegerSpan({ id: 'a1' })], processes: PROCESSES }] }));
    expect(spans[0]).toMatchObject({
      traceId: '00000000000000005a1b2c3d4e5f6071',
      spanId: '00000000000000a1',
      resource: { service: 'checkout', version: '2.4.0', environment: 'production' },
      name: 'op-a1',
    });
  });

  it('parent: first same-trace CHILD_OF, else FOLLOWS_FROM, else parentSpanID; other references are links', async () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const spans = [
      jaegerSpan({ id: '01', refs: [{ refType: 'FOLLOWS_FROM', spanID: '0a' }, { refType: 'CHILD_OF', spanID: '0b' }, { refType: 'CHILD_OF', traceID: other, spanID: '0c' }] }),
      jaegerSpan({ id: '02', refs: [{ refType: 'CHILD_OF', traceID: other, spanID: '0c' }, { refType: 'FOLLOWS_FROM', spanID: '0a' }] }),
      jaegerSpan({ id: '03', parentSpanID: '0d' }),
    ];
    const { spans: read } = await readSpans(JSON.stringify({ traceID: '5a1b2c3d4e5f6071', spans, processes: PROCESSES }));
    expect(read.map((s) => [s.parentSpanId, s.links.map((l) => `${l.traceId}/${l.spanId}`)])).toEqual([
      ['000000000000000b', ['00000000000000005a1b2c3d4e5f6071/000000000000000a', `${other}/000000000000000c`]],
      ['000000000000000a', [`${other}/000000000000000c`]],
      ['000000000000000d', []],
    ]);
  });

  it('span.kind tag gives the kind; error=true (bool or string) and otel.status_code=ERROR are errors; attributes keep only what rollgraph reads', async () => {
    const tag = (key: string, type: string, value: unknown) => ({ key, type, value });
    const spans = [
      jaegerSpan({ id: '01', tags: [tag('span.kind', 'string', 'client'), tag('error', 'bool', true), tag('peer.service', 'string', 'fraud')] }),
      jaegerSpan({ id: '02', tags: [tag('span.kind', 'string', 'producer'), tag('error', 'bool', 'true'), tag('messaging.system', 'string', 'kafka')] }),
      jaegerSpan({ id: '03', tags: [tag('span.kind', 'string', 'server'), tag('otel.status_code', 'string', 'ERROR'), tag('http.status_code', 'int64', 500)] }),
      jaegerSpan({ id: '04', tags: [tag('span.kind', 'string', 'gateway'), tag('error', 'bool', false), tag('db.statement', 'binary', 'AAAwOQ==')] }),
    ];
    const { spans: read } = await readSpans(JSON.stringify({ traceID: '5a1b2c3d4e5f6071', spans, processes: PROCESSES }));
    expect(read.map((s) => [s.kind, s.isError, s.attributes])).toEqual([
      [2, true, { 'peer.service': 'fraud' }],
      [3, true, { 'messaging.system': 'kafka' }],
      [1, true, {}],
      [undefined, false, {}],
    ]);
  });

  it('spans before processes wait for the trace to close; an embedded process serves a span whose processID is unknown', async () => {
    const embedded = { ...jaegerSpan({ id: '02', process: 'p9' }), process: { serviceName: 'ledger', tags: [] } };
    const { spans, warnings } = await readSpans(
      JSON.stringify({ traceID: '5a1b2c3d4e5f6071', spans: [jaegerSpan({ id: '01', process: 'p2' }), embedded, jaegerSpan({ id: '03', process: 'p9' })], processes: PROCESSES }),
    );
    expect(spans.map((s) => s.resource.service)).toEqual(['payments', 'ledger', 'unknown_service']);
    expect(spans[0]!.resource.environment).toBe('staging');
    expect(warnings).toEqual([expect.stringMatching(/processID is not in the trace's processes.*: 1$/)]);
  });

  it('errors reported by the query are warnings; with no data, the rejection quotes them', async () => {
    const d = await derive({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
    expect(messages(d)).toEqual(['traces.json:1: no traces: the Jaeger query reported "trace not found"']);
    expect(d.warnings).toEqual(['the Jaeger query reported an error: trace not found: traces.json']);
  });
});

describe('malformed Jaeger input is rejected with file, line and field', () => {
  const good = [
    jaegerSpan({ id: '01', tags: [{ key: 'span.kind', type: 'string', value: 'client' }] }),
    jaegerSpan({ id: '02', process: 'p2', refs: [{ refType: 'CHILD_OF', spanID: '01' }], tags: [{ key: 'span.kind', type: 'string', value: 'server' }] }),
  ];
  const doc = (spans: unknown[]) => JSON.stringify({ data: [{ traceID: '5a1b2c3d4e5f6071', spans, processes: PROCESSES }] }, null, 1);

  it('a truncated file: the spans before the damage still count', async () => {
    const text = doc(good);
    const d = await derive(text.slice(0, text.indexOf('"processes"')));
    expect(edgeLines(d)).toEqual([]); // no processes read: both spans are unknown_service
    expect(d.stats.spans).toBe(2);
    expect(messages(d)).toEqual([expect.stringMatching(/^traces\.json:\d+: data\[0\]\.spans: invalid JSON: unexpected end of input/)]);
  });

  it('ids of the wrong type, a span without traceID, a reference to a malformed id, a startTime that is not a number', async () => {
    const bad = [
      { ...jaegerSpan({ id: '03' }), spanID: 3 },
      { ...jaegerSpan({ id: '04' }), traceID: undefined },
      jaegerSpan({ id: '05', refs: [{ refType: 'CHILD_OF', spanID: '0000000000000000000001' }] }),
      { ...jaegerSpan({ id: '06' }), startTime: '2024-01-01T00:00:00Z' },
      { ...jaegerSpan({ id: '07' }), tags: { 'span.kind': 'client' } },
      { ...jaegerSpan({ id: '08' }), traceID: '0' },
    ];
    const text = doc([...good, ...bad]);
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    const starts = text.split('\n').flatMap((l, n) => (l === '    {' ? [n + 1] : []));
    const at = (i: number) => `traces.json:${starts[good.length + i]}: data[0].spans[${good.length + i}]`;
    expect(messages(d)).toEqual([
      `${at(0)}.spanID: expected a hex string, got number`,
      `${at(1)}.traceID: missing`,
      `${at(2)}.references[0].spanID: 22 hex characters, expected at most 16`,
      `${at(3)}.startTime: expected epoch microseconds (a number), got "2024-01-01T00:00:00Z"`,
      `${at(4)}.tags: expected an array of {key, type, value}, got object`,
      `${at(5)}.traceID: all zeros (invalid id)`,
    ]);
  });

  it('a document with neither data nor spans', async () => {
    const d = await derive('{"traceID": "5a1b2c3d4e5f6071", "warnings": null}');
    expect(messages(d)).toEqual(['traces.json:1: not Jaeger JSON: expected {"data": [traces]} or a trace {traceID, spans, processes}']);
  });
});

describe('rollgraph export --input <jaeger file>', () => {
  it('derives the graph from a Jaeger UI download', async () => {
    const r = await runCli(['export', '--input', 'fixtures/real/jaeger-ui/pyroscope-ride-sharing-trace.json', '--format', 'json']);
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout) as { edges: { from: string; to: string; calls: number }[] };
    expect(graph.edges.map((e) => `${e.from} -> ${e.to} ${e.calls}`)).toEqual(['load-generator -> ride-sharing-app 1']);
  });
});
