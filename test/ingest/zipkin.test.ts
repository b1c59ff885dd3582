/**
 * Zipkin v2 JSON read directly (no conversion): Zipkin's own dependency scenarios, real production
 * traces from zipkin-lens with the links Zipkin's DependencyLinker computed (fixtures/real, each
 * folder's SOURCE.md), the shared span id rule, the bounded buffer, and malformed input.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/model.js';
import { readZipkinJson } from '../../src/ingest/read-zipkin-json.js';
import { sniffJsonTraceFormat } from '../../src/ingest/read-json-traces.js';
import { formatRejection } from '../../src/report/render-summary.js';
import { runCli } from '../helpers/cli.js';
import { derive, deriveFiles, edgeLines } from '../helpers/otlp.js';
import { expectItDependencies, itDependenciesExpected } from '../helpers/itdependencies.js';

const REAL = new URL('../../fixtures/real/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, REAL));
const messages = (d: Awaited<ReturnType<typeof derive>>) => d.rejected.map(formatRejection);

describe('format sniffing picks Zipkin from the content', () => {
  it('an array of spans, an array of traces; not OTLP, not an empty array', () => {
    const span = '{"traceId":"5a1b2c3d4e5f6071","id":"0000000000000001","localEndpoint":{"serviceName":"frontend"}}';
    expect(sniffJsonTraceFormat(Buffer.from(`[${span}]`))).toBe('zipkin');
    expect(sniffJsonTraceFormat(Buffer.from(` \n[[${span}], [${span}]]`))).toBe('zipkin');
    expect(sniffJsonTraceFormat(Buffer.from('[{"resourceSpans":[]}]'))).toBe('otlp');
    expect(sniffJsonTraceFormat(Buffer.from('[]'))).toBe('otlp');
    // A head cut inside the first span still shows its first keys.
    expect(sniffJsonTraceFormat(Buffer.from(`[${span.slice(0, 60)}`))).toBe('zipkin');
  });
});

describe('zipkin ITDependencies scenarios, read as Zipkin v2 JSON', () => {
  // The same answers the OTLP conversions of these files must give (test/real-data.test.ts):
  // fixtures/real/zipkin-itdependencies/expected.json, worked out from CONTRACT §2 (SOURCE.md).
  const expected = itDependenciesExpected();
  const files = readdirSync(new URL('zipkin-itdependencies/', REAL)).filter((f) => f.endsWith('.json') && !f.endsWith('.otlp.json') && f !== 'expected.json');

  it('covers all 16 scenarios', () => {
    expect(files.map((f) => f.replace('.json', '')).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    const name = file.replace('.json', '');
    it(name, async () => {
      const d = await deriveFiles({ [file]: read(`zipkin-itdependencies/${file}`) });
      expectItDependencies(d, expected[name]!);
      expect(d.stats.conflictingSpans).toBe(0); // shared client/server ids are one span each
    });
  }

  it('the span without localEndpoint.serviceName counts as unknown_service, with a warning (unnamedEndpointsAreSkipped)', async () => {
    const d = await deriveFiles({ 'unnamed.json': read('zipkin-itdependencies/unnamedEndpointsAreSkipped.json') });
    expect(d.warnings).toEqual([expect.stringMatching(/without localEndpoint\.serviceName.*unknown_service: 1 in unnamed\.json/)]);
  });

  it('every scenario as one trace of an array of arrays (GET /api/v2/traces) gives the same edges together', async () => {
    const traces = files.map((f) => JSON.parse(read(`zipkin-itdependencies/${f}`).toString()) as unknown[]);
    const separately = await deriveFiles(Object.fromEntries(files.map((f) => [f, read(`zipkin-itdependencies/${f}`)])));
    const nested = await derive(JSON.stringify(traces));
    expect(nested.rejectedCount).toBe(0);
    expect(edgeLines(nested)).toEqual(edgeLines(separately));
    expect(nested.stats.spans).toBe(separately.stats.spans);
  });
});

/** Zipkin's links as `parent -> child calls/errors`, lower-cased as Zipkin stores names. */
type Links = Record<string, string>;

/** rollgraph's edges keyed like Zipkin's links: lower-cased names, `calls/errors`. */
function asZipkinLinks(d: Awaited<ReturnType<typeof derive>>): Links {
  return Object.fromEntries(d.view.edges.map((e) => [`${e.from.toLowerCase()} -> ${e.to.toLowerCase()}`, `${e.calls}/${e.errors}`]));
}

describe('zipkin-lens real traces: Zipkin DependencyLinker links (SOURCE.md "EXPECTED ANSWER")', () => {
  const lens = (file: string) => deriveFiles({ [file]: read(`zipkin-lens/${file}`) });

  // Zipkin's links that are self-links (R4: not edges in rollgraph) are listed apart.
  const MOBILE_WEB_INSTALL: Links = {
    'account -> auth': '15/0', 'bookie -> account': '15/0', 'bookie -> auth': '14/0', 'bookie -> coresrv': '13/0',
    'bookie -> execution': '2/0', 'bouncer -> auth': '1/0', 'bouncer -> pusher': '5/0', 'coresrv -> auth': '15/0',
    'coresrv -> strongman': '1/0', 'execution -> alice': '1/1', 'execution -> auth': '3/0', 'execution -> bookie': '16/0',
    'execution -> bouncer': '1/0', 'execution -> guardian': '14/0', 'guardian -> platformapi': '1/0', 'paperboy -> auth': '1/0',
    'platformapi -> bookie': '17/0', 'platformapi -> execution': '14/0', 'platformapi -> gizmo': '52/0', 'platformapi -> paperboy': '1/0',
    'pusher -> dove': '1/0', 'pusher -> oreck': '1/0', 'stlogin -> auth': '5/0', 'stlogin -> platformapi': '53/0',
    'stlogin -> strongman': '1/0', 'strongman -> auth': '2/0', 'strongman -> platformapi': '30/0', 'strongman -> stlogin': '1/0',
  };
  const MOBILE_WEB_INSTALL_SELF = ['auth', 'bookie', 'stlogin', 'strongman'];
  const OAUTH: Links = {
    'bouncer -> pusher': '2/0', 'datamgmt -> account': '5/0', 'datamgmt -> auth': '20/0', 'datamgmt -> bouncer': '1/0',
    'datamgmt -> stlogin': '2/0', 'pusher -> dove': '1/0', 'pusher -> paperboy': '1/0', 'stlogin -> auth': '2/1', 'stlogin -> datamgmt': '2/0',
  };
  const OAUTH_SELF = ['auth', 'datamgmt', 'stlogin'];
  // Rollgraph's one addition in both SmartThings traces: a leaf pusher CLIENT `post /events` with
  // `http.url: http://archiver.st.internal/events` and no remoteEndpoint. R3 names an external node
  // by the URL's host; Zipkin links only by remoteEndpoint.serviceName.
  const ARCHIVER = { 'pusher -> archiver.st.internal': '1/0' };

  it('smartthings-mobile-web-install.json (1,041 spans): every one of Zipkin\'s 28 links between services, same calls and errors', async () => {
    const d = await lens('smartthings-mobile-web-install.json');
    expect(asZipkinLinks(d)).toEqual({ ...MOBILE_WEB_INSTALL, ...ARCHIVER });
    // Zipkin's self-links auth -> auth 132, bookie -> bookie 120, stlogin -> stlogin 10, strongman ->
    // strongman 19 are no edges (R4); rollgraph counts its own self-calls in the summary.
    for (const s of MOBILE_WEB_INSTALL_SELF) expect(d.view.edges.some((e) => e.from.toLowerCase() === s && e.to.toLowerCase() === s)).toBe(false);
    expect(d.stats.selfCalls).toBeGreaterThan(0);
    // Names keep their case: Zipkin stores `coreSrv` and `stLogin` lower-cased.
    expect(d.view.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['coreSrv', 'stLogin']));
    expect(d.view.edges.find((e) => e.to === 'archiver.st.internal')).toMatchObject({ type: 'external', from: 'pusher' });
    // The server halves that reuse their client's id are one span each (84 kind-less server pieces merged).
    expect(d.stats.conflictingSpans).toBe(0);
    expect(d.rejectedCount).toBe(0);
  });

  it('smartthings-oauth-authorization.json (175 spans): Zipkin\'s 9 links between services, incl. stlogin -> auth with 1 error', async () => {
    const d = await lens('smartthings-oauth-authorization.json');
    expect(asZipkinLinks(d)).toEqual({ ...OAUTH, ...ARCHIVER });
    for (const s of OAUTH_SELF) expect(d.view.edges.some((e) => e.from === s && e.to === s)).toBe(false);
    // bouncer -> pusher 2, not 5: five shared pusher halves reuse one id, three from host 10.0.0.187
    // and two from 10.0.0.79; Zipkin (Trace.merge) reads the pieces of one host as one span.
    expect(d.warnings.join('\n')).toContain('merged into one: 3 in smartthings-oauth-authorization.json');
  });

  it('yelp.json: six of Zipkin\'s links as they are; two counted per parent/child pair', async () => {
    const d = await lens('yelp.json');
    expect(asZipkinLinks(d)).toEqual({
      'mobile_api -> blt': '1/0',
      'mobile_api -> memcache': '2/0',
      'mobile_api -> spectre': '1/0',
      'unknown -> yelp_main/api_proxy': '1/0',
      'yelp-main -> memcache': '3/0',
      'yelp-main -> mysql': '2/0',
      // Zipkin: unknown -> yelp-main 5. The `unknown` CLIENT 668ed78ad94b35a1 is answered by a
      // server half named `yelp_main/api_proxy`; two `yelp-main` spans have that id as parent
      // (e7d1a2d5a788ac81, 241cea1aa4cb2884): R1 makes two calls. Zipkin also backfills a link
      // from the nearest remote ancestor to each of the five yelp-main CLIENT spans.
      'unknown -> yelp-main': '2/0',
      // Zipkin: yelp-main -> mobile_api 2. One yelp-main CLIENT (f5f268651b2a2b34) is answered by one
      // mobile_api server half: one call under R1.
      'yelp-main -> mobile_api': '1/0',
    });
    // `unknown` is a service named so in the data, not a node rollgraph invents.
    expect(d.view.nodes.find((n) => n.id === 'unknown')?.kind).toBe('service');
  });

  it('ascend.json and skew.json: the same links as Zipkin', async () => {
    expect(edgeLines(await lens('ascend.json'))).toEqual(['mobile-gateway -> auth-service sync 1/0', 'mobile-gateway -> content-service sync 1/0']);
    expect(edgeLines(await lens('skew.json'))).toEqual(['servicea -> serviceb sync 1/0']);
  });

  it('simple-db-p6.json: the uninstrumented database named by remoteEndpoint, 4 calls (an external node: no db.system tag)', async () => {
    expect(edgeLines(await lens('simple-db-p6.json'))).toEqual(['bootifulmeters -> app_db external 4/0']);
  });

  it('envoy.json: no links; its one SERVER span without a service name is unknown_service, an entry point', async () => {
    const d = await lens('envoy.json');
    expect(edgeLines(d)).toEqual([]);
    expect(d.warnings).toEqual([expect.stringContaining('without localEndpoint.serviceName')]);
    expect(d.view.nodes).toMatchObject([{ id: 'unknown_service', entrypoint: true }]);
  });

  it('messaging.json: Zipkin frontend -> rabbitmq -> backend; rollgraph one async call frontend -> backend (no broker node)', async () => {
    // The backend CONSUMER's parent is the frontend PRODUCER: R1, async. `rabbitmq` is only a
    // remoteEndpoint (peer.service), not messaging.system, so there is no queue node.
    expect(edgeLines(await lens('messaging.json'))).toEqual(['frontend -> backend async 1/0']);
  });

  it('messaging-kafka.json: Zipkin servicea -> kafka 9, kafka -> servicea 4, kafka -> serviceb 3', async () => {
    const d = await lens('messaging-kafka.json');
    // Of the 9 servicea PRODUCER spans, 3 are parents of serviceb CONSUMER spans (R1, async) and 6
    // are leaf exits to the peer `kafka` (R3, external). Of the 4 servicea CONSUMER spans, 3 have a
    // servicea PRODUCER parent (a self-call, R4) and 1 is a root naming `kafka` (R5).
    expect(edgeLines(d)).toEqual(['kafka -> servicea async 1/0', 'servicea -> kafka external 6/0', 'servicea -> serviceb async 3/0']);
    expect(d.stats.selfCalls).toBe(3);
  });

  it('messaging2.json: spans whose parents are absent are not attached to the root', async () => {
    const d = await lens('messaging2.json');
    // Zipkin attaches orphans to the root and links mobile-gateway -> transfer-service 2 and
    // rabbitmq -> notification-service 1 through them; rollgraph pairs only actual parents.
    // mobile-gateway -> auth-service: the shared auth-service half has no client half in the file,
    // so its Zipkin parentId (the mobile-gateway root) is its parent. transfer-service -> rabbitmq:
    // the PRODUCER's consumer names another parent, so it is a leaf exit to its peer (R3).
    expect(edgeLines(d)).toEqual(['mobile-gateway -> auth-service sync 1/0', 'transfer-service -> rabbitmq external 1/0']);
  });
});

/** Zipkin spans in a compact form for the inline tests. */
function zipkinSpan(s: { trace?: string; id: string; parent?: string; kind?: string; service?: string; remote?: string; shared?: boolean; tags?: Record<string, string> }) {
  return {
    traceId: s.trace ?? '5a1b2c3d4e5f6071',
    ...(s.parent === undefined ? {} : { parentId: s.parent }),
    id: s.id,
    ...(s.kind === undefined ? {} : { kind: s.kind }),
    name: 'get',
    timestamp: 1704067200000000,
    duration: 1000,
    ...(s.service === undefined ? {} : { localEndpoint: { serviceName: s.service } }),
    ...(s.remote === undefined ? {} : { remoteEndpoint: { serviceName: s.remote } }),
    ...(s.shared === undefined ? {} : { shared: s.shared }),
    ...(s.tags === undefined ? {} : { tags: s.tags }),
  };
}

/** One RPC with a shared id: checkout CLIENT 00..02 answered by payments, which calls the ledger. */
function sharedCall(trace: string) {
  return [
    zipkinSpan({ trace, id: '0000000000000001', kind: 'SERVER', service: 'checkout' }),
    zipkinSpan({ trace, id: '0000000000000002', parent: '0000000000000001', kind: 'CLIENT', service: 'checkout' }),
    zipkinSpan({ trace, id: '0000000000000002', parent: '0000000000000001', kind: 'SERVER', service: 'payments', shared: true }),
    zipkinSpan({ trace, id: '0000000000000003', parent: '0000000000000002', kind: 'CLIENT', service: 'payments', remote: 'ledger' }),
  ];
}

async function readSpans(text: string, maxBufferedSpans?: number): Promise<{ spans: Span[]; warnings: string[] }> {
  const spans: Span[] = [];
  const warnings: string[] = [];
  await readZipkinJson(
    (async function* () {
      yield Buffer.from(text);
    })(),
    'spans.json',
    { span: (s) => spans.push(s), reject: () => {}, warn: (_f, m, n) => warnings.push(`${m}: ${n ?? 1}`) },
    maxBufferedSpans === undefined ? {} : { maxBufferedSpans },
  );
  return { spans, warnings };
}

describe('shared span ids', () => {
  it('the shared half gets its own id, parented on the client half; its children follow it', async () => {
    const { spans } = await readSpans(JSON.stringify(sharedCall('5a1b2c3d4e5f6071')));
    const byName = spans.map((s) => `${s.resource.service}:${s.kind}:${s.spanId}<-${s.parentSpanId}`);
    expect(byName).toEqual([
      'checkout:1:0000000000000001<-null',
      'checkout:2:0000000000000002<-0000000000000001',
      'payments:1:8000000000000002<-0000000000000002',
      'payments:2:0000000000000003<-8000000000000002',
    ]);
    expect(spans.every((s) => s.traceId === '00000000000000005a1b2c3d4e5f6071')).toBe(true);
    expect(edgeLines(await derive(JSON.stringify(sharedCall('5a1b2c3d4e5f6071'))))).toEqual([
      'checkout -> payments sync 1/0',
      'payments -> ledger external 1/0',
    ]);
  });

  it('a SERVER that reuses its client\'s id without the shared flag is read as the server half', async () => {
    const spans = sharedCall('5a1b2c3d4e5f6071').map((s) => ({ ...s, shared: undefined }));
    const d = await derive(JSON.stringify(spans));
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0', 'payments -> ledger external 1/0']);
    expect(d.stats.conflictingSpans).toBe(0);
    expect(d.warnings).toEqual([expect.stringMatching(/without "shared": true, read as that call's server half: 1 in/)]);
  });

  it('a flat array larger than the buffer: traces flushed oldest first, shared ids still resolved per trace', async () => {
    const traces = ['00000000000000a1', '00000000000000a2', '00000000000000a3'];
    const flat = traces.flatMap(sharedCall);
    const { spans, warnings } = await readSpans(JSON.stringify(flat), 5);
    expect(spans).toHaveLength(12);
    expect(spans.filter((s) => s.spanId === '8000000000000002')).toHaveLength(3);
    expect(warnings).toEqual(['traces flushed before their end because more than 5 spans waited (no shared span id was affected): 2']);
  });

  it('a trace split by the buffer: what cannot be re-parented is counted', async () => {
    // The payments child arrives first and leaves in an early flush; its shared parent comes later.
    const [root, client, half, child] = sharedCall('00000000000000b1');
    const filler = [1, 2, 3].map((i) => zipkinSpan({ trace: `00000000000000c${i}`, id: '0000000000000001', kind: 'SERVER', service: 'catalog' }));
    const { spans, warnings } = await readSpans(JSON.stringify([child, ...filler, root, client, half]), 3);
    expect(spans).toHaveLength(7);
    expect(spans.find((s) => s.spanId === '0000000000000003')?.parentSpanId).toBe('0000000000000002');
    expect(warnings).toEqual([expect.stringMatching(/^shared Zipkin server spans read after part of their trace had left the buffer \(3 spans\).*: 1$/)]);
  });

  it('children read after their shared parent was flushed are still re-parented', async () => {
    const [root, client, half, child] = sharedCall('00000000000000d1');
    const filler = [1, 2, 3].map((i) => zipkinSpan({ trace: `00000000000000e${i}`, id: '0000000000000001', kind: 'SERVER', service: 'catalog' }));
    const { spans } = await readSpans(JSON.stringify([root, client, half, ...filler, child]), 3);
    expect(spans.find((s) => s.spanId === '0000000000000003')?.parentSpanId).toBe('8000000000000002');
  });
});

describe('span fields', () => {
  it('error tag (any value) and otel.status_code ERROR are errors; remoteEndpoint gives peer.service unless a tag names it', async () => {
    const { spans } = await readSpans(
      JSON.stringify([
        zipkinSpan({ id: '0000000000000001', kind: 'CLIENT', service: 'checkout', remote: 'fraud', tags: { error: 'timeout' } }),
        zipkinSpan({ id: '0000000000000002', kind: 'CLIENT', service: 'checkout', remote: 'fraud', tags: { 'otel.status_code': 'ERROR', 'peer.service': 'fraud-api' } }),
        zipkinSpan({ id: '0000000000000003', kind: 'CLIENT', service: 'checkout', tags: { 'http.method': 'POST', 'lc': 'ignored' } }),
      ]),
    );
    expect(spans.map((s) => [s.isError, s.attributes])).toEqual([
      [true, { 'peer.service': 'fraud' }],
      [true, { 'peer.service': 'fraud-api' }],
      [false, { 'http.method': 'POST' }],
    ]);
  });

  it('parentId equal to id is a root; absent kind is unspecified; timestamp µs -> ms', async () => {
    const { spans } = await readSpans(JSON.stringify([zipkinSpan({ id: '0000000000000001', parent: '0000000000000001', service: 'checkout' })]));
    expect(spans[0]).toMatchObject({ parentSpanId: null, kind: undefined, startMs: 1704067200000 });
  });
});

describe('malformed Zipkin input is rejected with file, line and field', () => {
  const good = [zipkinSpan({ id: '0000000000000001', kind: 'SERVER', service: 'checkout', remote: 'web' })];
  const pretty = (spans: unknown[]) => JSON.stringify(spans, null, 1);

  it('a truncated file: the spans before the damage still count', async () => {
    const text = pretty([...good, zipkinSpan({ id: '0000000000000002', service: 'checkout' })]);
    const d = await derive(text.slice(0, text.length - 40));
    expect(edgeLines(d)).toEqual(['web -> checkout sync 1/0']);
    expect(messages(d)).toEqual([expect.stringMatching(/^traces\.json:\d+: .*truncated/)]);
  });

  it('ids of the wrong type or not hex, a span without traceId, tags that are not an object', async () => {
    const bad = [
      { ...zipkinSpan({ id: '0000000000000002', service: 'checkout' }), id: 42 },
      { ...zipkinSpan({ id: '0000000000000003', service: 'checkout' }), traceId: undefined },
      { ...zipkinSpan({ id: '0000000000000004', service: 'checkout' }), parentId: 'not-an-id' },
      { ...zipkinSpan({ id: '0000000000000005', service: 'checkout' }), tags: ['error'] },
      { ...zipkinSpan({ id: '0000000000000006', service: 'checkout' }), id: '00000000000000000006' },
      { ...zipkinSpan({ id: '0000000000000007', service: 'checkout' }), kind: 3 },
    ];
    const text = pretty([...good, ...bad]);
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(['web -> checkout sync 1/0']);
    // The line where each bad span starts (its `{` alone on a line).
    const starts = text.split('\n').flatMap((l, n) => (l === ' {' ? [n + 1] : []));
    const lineOf = (i: number) => starts[i + 1];
    expect(messages(d)).toEqual([
      `traces.json:${lineOf(0)}: [1].id: expected a hex string, got number`,
      `traces.json:${lineOf(1)}: [2].traceId: missing`,
      `traces.json:${lineOf(2)}: [3].parentId: not a hex id: "not-an-id"`,
      `traces.json:${lineOf(3)}: [4].tags: expected an object of string values, got an array`,
      `traces.json:${lineOf(4)}: [5].id: 20 hex characters, expected at most 16`,
      `traces.json:${lineOf(5)}: [6].kind: expected CLIENT, SERVER, PRODUCER or CONSUMER, got number`,
    ]);
  });

  it('Zipkin v1 JSON is rejected once, naming the format', async () => {
    const v1 = [
      { traceId: '5a1b2c3d4e5f6071', id: '0000000000000001', name: 'get', annotations: [{ timestamp: 1, value: 'sr', endpoint: { serviceName: 'checkout' } }], binaryAnnotations: [] },
      { traceId: '5a1b2c3d4e5f6071', id: '0000000000000002', name: 'get', binaryAnnotations: [{ key: 'ca', value: true }] },
    ];
    const d = await derive(JSON.stringify(v1));
    expect(d.stats.spans).toBe(0);
    expect(messages(d)).toEqual(['traces.json:1: [0]: Zipkin v1 JSON (binaryAnnotations, endpoints on annotations) is not supported: rollgraph reads Zipkin v2 JSON; fetch the traces from /api/v2 or convert them (and 1 more spans like it)']);
  });

  it('an inner element that is not a span', async () => {
    const d = await derive(`[[${JSON.stringify(good[0])}, "oops"]]`);
    expect(edgeLines(d)).toEqual(['web -> checkout sync 1/0']);
    expect(messages(d)).toEqual(['traces.json:1: [0][1]: expected a Zipkin span object']);
  });
});

describe('rollgraph export --input <zipkin file>', () => {
  it('derives the graph from Zipkin JSON as from OTLP', async () => {
    const r = await runCli(['export', '--input', 'fixtures/real/zipkin-itdependencies/getDependencies.json', '--format', 'json']);
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout) as { nodes: { id: string; kind: string }[]; edges: { from: string; to: string; type: string; calls: number; errors: number }[] };
    expect(graph.edges.map(({ from, to, type, calls, errors }) => ({ from, to, type, calls, errors }))).toEqual([
      { from: 'backend', to: 'db', type: 'external', calls: 1, errors: 1 },
      { from: 'frontend', to: 'backend', type: 'sync', calls: 1, errors: 0 },
    ]);
    expect(graph.nodes.map((n) => `${n.id}:${n.kind}`)).toEqual(['backend:service', 'db:external', 'frontend:service']);
  });
});
