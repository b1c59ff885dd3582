/**
 * CSV span tables as research datasets publish them: the real Nezha exports (fixtures/real/nezha,
 * expected answers from its SOURCE.md), header sniffing and column mapping, pod names, time
 * units, malformed rows, and the `--csv-columns` option through the CLI.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Derivation, type DeriveOptions, type TraceInput, deriveGraph } from '../../src/derive-graph.js';
import { parseCsvColumns, serviceOfPod } from '../../src/ingest/read-csv-spans.js';
import { formatRejection } from '../../src/report/render-summary.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { edgeLines, gzip, inputFromText } from '../helpers/otlp.js';

const NEZHA = join(ROOT, 'fixtures/real/nezha');

function fileInput(path: string): TraceInput {
  return { name: path.slice(NEZHA.length + 1), open: () => createReadStream(path) };
}

const deriveCsv = (files: Record<string, string | Buffer>, options: DeriveOptions & { chunkSize?: number } = {}): Promise<Derivation> =>
  deriveGraph(
    Object.entries(files).map(([name, content]) => inputFromText(name, content, options.chunkSize)),
    options,
  );

const messages = (d: Derivation) => d.rejected.map(formatRejection);
/** Edges as `from -> to calls`, the shape SOURCE.md lists them in. */
const pairCounts = (d: Derivation) => d.view.edges.map((e) => `${e.from} -> ${e.to} ${e.calls}`);

const T1 = '4bf92f3577b34da6a3ce929d0e0e4736';
const T2 = '0af7651916cd43dd8448eb211c80319c';

/** checkout calls payments and inventory; payments calls the fraud check. Nezha's header and pod names. */
const SHOP = [
  'TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration',
  `${T1},00f067aa0ba902b7,root,checkout-7c9d8f6b5d-x2kfp,POST /orders,1764000000000000000,1764000000900000000,900000`,
  `${T1},5fb397be34d26b51,00f067aa0ba902b7,checkout-7c9d8f6b5d-x2kfp,payments.Charge,1764000000100000000,1764000000500000000,400000`,
  `${T1},a2fb4a1d1a96d312,5fb397be34d26b51,payments-66b8f9c4d7-q8wzn,payments.Charge,1764000000150000000,1764000000450000000,300000`,
  `${T1},b7ad6b7169203331,a2fb4a1d1a96d312,fraud-check-5c8b9f7d4-mm2hv,Score,1764000000200000000,1764000000300000000,100000`,
  `${T2},1f2e3d4c5b6a7980,root,checkout-7c9d8f6b5d-x2kfp,POST /orders,1764000060000000000,1764000060500000000,500000`,
  `${T2},2a3b4c5d6e7f8091,1f2e3d4c5b6a7980,inventory-6d4cf56db6-bb7rt,Reserve,1764000060100000000,1764000060200000000,100000`,
];
const SHOP_EDGES = ['checkout -> inventory sync 1/0', 'checkout -> payments sync 1/0', 'payments -> fraud-check sync 1/0'];
const table = (lines: readonly string[], eol = '\n') => lines.join(eol) + eol;

describe('Nezha OnlineBoutique (fixtures/real/nezha/2022-08-23_17_00_trace.csv)', () => {
  // SOURCE.md, "What the trace file 2022-08-23_17_00_trace.csv actually supports": 13 edges, span-pair counts.
  const SUPPORTED = [
    'checkoutservice -> cartservice 36',
    'checkoutservice -> emailservice 18',
    'checkoutservice -> paymentservice 18',
    'checkoutservice -> productcatalogservice 46',
    'checkoutservice -> shippingservice 36',
    'frontend -> adservice 298',
    'frontend -> cartservice 447',
    'frontend -> checkoutservice 18',
    'frontend -> currencyservice 1438',
    'frontend -> productcatalogservice 2343',
    'frontend -> recommendationservice 363',
    'frontend -> shippingservice 101',
    'recommendationservice -> productcatalogservice 363',
  ];
  let derived: Promise<Derivation> | undefined;
  const onlineBoutique = () => (derived ??= deriveGraph([fileInput(join(NEZHA, '2022-08-23_17_00_trace.csv'))]));

  it('gives exactly the 13 edges the traces support, with their span-pair counts, all sync', async () => {
    const d = await onlineBoutique();
    expect(pairCounts(d)).toEqual(SUPPORTED);
    expect(d.view.edges.every((e) => e.type === 'sync' && e.errors === 0)).toBe(true);
    expect(d.stats).toMatchObject({ spans: 22_969, traces: 502, missingParents: 0, duplicateSpans: 0 });
    expect(d.rejectedCount).toBe(0);
    expect(d.services).toBe(10);
  });

  it('says how the 10 pod names became 10 services', async () => {
    const d = await onlineBoutique();
    expect(d.warnings).toEqual([
      '10 pod names read as 10 services by removing Kubernetes ReplicaSet and pod suffixes (frontend-579b9bff58-t2dbm -> frontend): 2022-08-23_17_00_trace.csv',
    ]);
  });

  it('does not invent checkoutservice -> currencyservice, the one dependency.csv edge no span pair shows', async () => {
    // dependency.csv (shipped by the dataset's authors) lists 14 service edges plus pod -> node-IP placement rows.
    const shipped = readFileSync(join(NEZHA, '2022-08-23_dependency.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(','))
      .filter(([, target]) => !/^\d+\.\d+\.\d+\.\d+$/.test(target!))
      .map(([source, target]) => `${source} -> ${target}`)
      .sort();
    expect(shipped).toHaveLength(14);
    const d = await onlineBoutique();
    const found = d.view.edges.map((e) => `${e.from} -> ${e.to}`);
    // checkoutservice's 64 internal ConvertCurrency spans have no child span in currencyservice: its
    // outgoing Convert calls were not traced, so the traces alone cannot prove the call (SOURCE.md).
    expect(found).not.toContain('checkoutservice -> currencyservice');
    expect(shipped.filter((edge) => !found.includes(edge))).toEqual(['checkoutservice -> currencyservice']);
    expect(found.filter((edge) => !shipped.includes(edge))).toEqual([]);
  });

  it('names each call by the callee span, as the callee served it', async () => {
    const d = await onlineBoutique();
    const currency = d.view.edges.find((e) => e.from === 'frontend' && e.to === 'currencyservice')!;
    // SOURCE.md: frontend CurrencyService/Convert 1021 + GetSupportedCurrencies 417 = 1438.
    expect(currency.operations.map((o) => o.calls)).toEqual([1021, 417]);
    expect(currency.firstSeen?.startsWith('2022-08-23T')).toBe(true);
  });
});

describe('Nezha TrainTicket (fixtures/real/nezha/2023-01-30_11_39_trace.csv)', () => {
  /** The Appendix of SOURCE.md for one file: its derived `from -> to count` lines. */
  function appendixEdges(file: string): string[] {
    const lines = readFileSync(join(NEZHA, 'SOURCE.md'), 'utf8').split('\n');
    const start = lines.findIndex((l) => l.startsWith(`== ${file}`));
    const end = lines.findIndex((l, i) => i > start && (l.startsWith('== ') || l.startsWith('```')));
    return lines
      .slice(start + 1, end)
      .map((l) => l.trim().split(/\s+/))
      .filter((w) => w.length === 4 && w[1] === '->')
      .map((w) => w.join(' '));
  }

  it('gives the 53 edges SOURCE.md derives, with the same counts', async () => {
    const expected = appendixEdges('2023-01-30_11_39_trace.csv');
    expect(expected).toHaveLength(53);
    const d = await deriveGraph([fileInput(join(NEZHA, '2023-01-30_11_39_trace.csv'))]);
    expect(pairCounts(d)).toEqual(expected);
    expect(d.services).toBe(28);
    expect(d.stats).toMatchObject({ spans: 4_595, traces: 62, missingParents: 0 });
  });

  it('counts the RabbitMQ hop per span pair and calls it sync: without kinds nothing says a broker carried it', async () => {
    const d = await deriveGraph([fileInput(join(NEZHA, '2023-01-30_11_39_trace.csv'))]);
    const hop = d.view.edges.find((e) => e.from === 'ts-food-service' && e.to === 'ts-delivery-service')!;
    // 5 `<default> send` spans with two consumer children each: 10 pairs (SOURCE.md). R1 types a call
    // async only when the parent is PRODUCER or the child CONSUMER; these spans have no kind.
    expect(hop).toMatchObject({ calls: 10, type: 'sync', via: null });
    // JDBC spans (`SELECT ts.<table>`) make no database node: R3 needs a CLIENT span with db.system.
    expect(d.view.nodes.every((n) => n.kind === 'service')).toBe(true);
  });
});

describe('recognising a span table', () => {
  it('reads Nezha\u2019s header, pod names and nanosecond times', async () => {
    const d = await deriveCsv({ 'shop.csv': table(SHOP) });
    expect(edgeLines(d)).toEqual(SHOP_EDGES);
    expect(d.view.edges[0]!.firstSeen).toBe('2025-11-24T16:01:00.100Z');
    expect(d.warnings).toEqual([
      '4 pod names read as 4 services by removing Kubernetes ReplicaSet and pod suffixes (checkout-7c9d8f6b5d-x2kfp -> checkout): shop.csv',
    ]);
  });

  it('recognises the common spellings, tabs, semicolons, quotes and CRLF', async () => {
    const rows = [
      ['trace_id', 'span_id', 'parent_span_id', 'service_name', 'name', 'start_time'],
      [T1, 'a1a1a1a1a1a1a1a1', '', 'checkout', 'POST /orders', '2025-11-24T16:00:00Z'],
      [T1, 'b2b2b2b2b2b2b2b2', 'a1a1a1a1a1a1a1a1', 'payments', 'charge, then capture', '2025-11-24 16:00:01.250'],
    ];
    const quoted = (r: string[], d: string) => r.map((v) => `"${v}"`).join(d);
    const d = await deriveCsv({
      'commas.csv': table(rows.map((r) => quoted(r, ',')), '\r\n'),
      'tabs.tsv': table(rows.map((r) => r.join('\t').replace(/charge, then capture/, 'charge'))),
      'semicolons.csv': table(rows.map((r) => quoted(r, ';'))),
    });
    expect(d.rejectedCount).toBe(0);
    expect(d.stats.duplicateSpans + d.stats.conflictingSpans).toBe(4); // the same two spans three times
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(d.view.edges[0]!.operations.map((o) => o.name)).toEqual(['charge, then capture']);
    expect(d.view.edges[0]!.firstSeen).toBe('2025-11-24T16:00:01.250Z'); // a date without a zone is UTC
  });

  it('reads a gzip-compressed table and one with a byte-order mark', async () => {
    const d = await deriveCsv({ 'shop.csv.gz': gzip(table(SHOP)), 'bom.csv': `\ufeff${table(SHOP)}` });
    expect(edgeLines(d)).toEqual(SHOP_EDGES);
    expect(d.stats.duplicateSpans).toBe(6);
  });

  it('gives the same spans however the bytes are split into chunks', async () => {
    const text = table(SHOP, '\r\n');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 120 }), async (chunkSize) => {
        const d = await deriveCsv({ 'shop.csv': text }, { chunkSize });
        expect(edgeLines(d)).toEqual(SHOP_EDGES);
        expect(d.rejectedCount).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('other CSV (a dependency list) is rejected with a message naming both accepted formats', async () => {
    const d = await deriveCsv({ 'dependency.csv': readFileSync(join(NEZHA, '2022-08-23_dependency.csv')) });
    expect(d.unusable).toEqual(['dependency.csv']);
    expect(messages(d)).toEqual([expect.stringMatching(/^dependency\.csv:1: not JSON, nor a CSV span table: .*CSV span tables whose header names trace id, span id and parent id/)]);
  });

  it('reads kind and status columns when the table has them', async () => {
    const d = await deriveCsv({
      'orders.csv': table([
        'TraceId,SpanId,ParentSpanId,ServiceName,SpanName,SpanKind,StatusCode,Timestamp',
        `${T1},a1a1a1a1a1a1a1a1,,checkout,place order,SPAN_KIND_PRODUCER,STATUS_CODE_UNSET,1764000000000`,
        `${T1},b2b2b2b2b2b2b2b2,a1a1a1a1a1a1a1a1,shipping,orders process,Consumer,Error,1764000000100`,
        `${T1},c3c3c3c3c3c3c3c3,a1a1a1a1a1a1a1a1,billing,orders process,CONSUMER,500,1764000000200`,
        `${T1},d4d4d4d4d4d4d4d4,a1a1a1a1a1a1a1a1,audit,orders process,listener,Ok,1764000000300`,
      ]),
    });
    expect(edgeLines(d)).toEqual(['checkout -> audit async 1/0', 'checkout -> billing async 1/1', 'checkout -> shipping async 1/1']);
    expect(d.warnings).toContain('span kind "listener" not recognised: read as unspecified: 1 in orders.csv');
    expect(d.warnings).toContain('span times read as Unix milliseconds by their number of digits (set start-unit in --csv-columns if they are not): orders.csv');
    expect(d.view.edges[0]!.firstSeen).toBe('2025-11-24T16:00:00.300Z');
  });
});

describe('pod names and services', () => {
  it('removes a Deployment pod\u2019s ReplicaSet hash and pod suffix, and nothing else', () => {
    expect(serviceOfPod('frontend-579b9bff58-t2dbm')).toBe('frontend');
    expect(serviceOfPod('ts-gateway-service-6f6cfc45b-h5m2n')).toBe('ts-gateway-service');
    expect(serviceOfPod('ts-station-food-service-dc4d75dd-fw6ft')).toBe('ts-station-food-service');
    expect(serviceOfPod('checkout-3949298137-x2k4m')).toBe('checkout'); // older clusters: a decimal hash
    // Names ending in words (vowels, or 0, 1, 3, which Kubernetes never draws) are not pods of a Deployment.
    expect(serviceOfPod('ts-gateway-service')).toBeNull();
    expect(serviceOfPod('payments-service-api')).toBeNull();
    expect(serviceOfPod('checkout-service-canary')).toBeNull();
    expect(serviceOfPod('redis-cart-0')).toBeNull();
    expect(serviceOfPod('frontend-t2dbm')).toBeNull();
  });

  it('keeps other pod names as written, says how many, and the config\u2019s aliases still apply', async () => {
    const text = table([
      'TraceID,SpanID,ParentID,PodName,OperationName',
      `${T1},a1a1a1a1a1a1a1a1,root,cart-5d8f7c9b4-x7kqp,GetCart`,
      `${T1},b2b2b2b2b2b2b2b2,a1a1a1a1a1a1a1a1,redis-cart-0,HGET`,
    ]);
    const d = await deriveCsv({ 'cart.csv': text }, { aliasOf: (name) => (name === 'redis-cart-0' ? 'redis-cart' : name) });
    expect(edgeLines(d)).toEqual(['cart -> redis-cart sync 1/0']);
    expect(d.warnings).toEqual([
      '1 pod name read as 1 service by removing Kubernetes ReplicaSet and pod suffixes (cart-5d8f7c9b4-x7kqp -> cart); 1 pod name without such suffixes kept as written (map them with aliases in the config file): cart.csv',
    ]);
  });

  it('reads a service column as written: only a pod column loses suffixes', async () => {
    const d = await deriveCsv({ 'shop.csv': table(SHOP.map((l) => l.replace('PodName', 'ServiceName'))) });
    expect(d.view.edges.map((e) => e.from)).toContain('checkout-7c9d8f6b5d-x2kfp');
    expect(d.warnings).toEqual([]);
  });
});

describe('malformed rows: file, line and field; every good row still counts', () => {
  it('rejects an empty id, a bad time and a wrong number of fields', async () => {
    const lines = [
      SHOP[0]!,
      SHOP[1]!,
      SHOP[2]!.replace(T1, ''), // line 3: no trace id
      SHOP[3]!,
      SHOP[4]!.replace('b7ad6b7169203331', ''), // line 5: no span id
      SHOP[5]!.replace('1764000060000000000', '17640000600O0000000'), // line 6: a letter O in the start
      SHOP[6]!.replace(',1764000060200000000', ',soon'), // line 7: a bad end
      `${T2},3b4c5d6e7f809102,1f2e3d4c5b6a7980,payments-66b8f9c4d7-q8wzn,Refund`, // line 8: too few fields
      `${T2},4c5d6e7f80910213,1f2e3d4c5b6a7980,payments-66b8f9c4d7-q8wzn,Refund,1,2,3,4`, // line 9: too many
      SHOP[2]!.replace(T1, '00000000000000000000000000000000'), // line 10: an all-zero trace id
      SHOP[2]!, // line 11: the row rejected on line 3, intact
    ];
    const d = await deriveCsv({ 'shop.csv': table(lines) });
    expect(messages(d)).toEqual([
      'shop.csv:3: TraceID: empty: every span needs a trace id',
      'shop.csv:5: SpanID: empty: every span needs a span id',
      'shop.csv:6: StartTimeUnixNano: not a time: "17640000600O0000000" (expected a non-negative Unix time or an ISO 8601 date)',
      'shop.csv:7: EndTimeUnixNano: not a time: "soon" (expected a non-negative Unix time or an ISO 8601 date)',
      'shop.csv:8: StartTimeUnixNano: missing: the row has 5 fields, the header 8',
      'shop.csv:9: the row has 9 fields, the header 8 (an unquoted delimiter inside a value?)',
      'shop.csv:10: TraceID: all zeros (invalid id)',
    ]);
    // Rows 2, 4 and 11 remain: checkout -> payments only (the fraud check's span had no id).
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(d.stats.spans).toBe(3);
  });

  it('stops at a broken quote, keeping the rows before it', async () => {
    const lines = [...SHOP.slice(0, 4), `${T1},b7ad6b7169203331,a2fb4a1d1a96d312,"fraud-check-5c8b9f7d4-mm2hv,Score,1,2,3`, SHOP[5]!];
    const d = await deriveCsv({ 'shop.csv': table(lines) });
    expect(messages(d)).toEqual(['shop.csv:5: a quoted field is opened here and never closed; the rows before it were read, the rest of the file was not']);
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
  });

  it('a header without the named columns is one rejection that shows the header', async () => {
    const d = await deriveCsv({ 'shop.csv': table(SHOP) }, { csv: { columns: { service: 'Service' } } });
    expect(d.unusable).toEqual(['shop.csv']);
    expect(messages(d)).toEqual([
      'shop.csv:1: no column service=Service in the header: the header has TraceID, SpanID, ParentID, PodName, OperationName, StartTimeUnixNano, EndTimeUnixNano, Duration; ' +
        'name the columns with --csv-columns, e.g. trace=TraceID,span=SpanID,parent=ParentID,service=ServiceName',
    ]);
  });

  it('a table with only a header has nothing usable, and says so', async () => {
    const d = await deriveCsv({ 'empty.csv': `${SHOP[0]}\n` });
    expect(d.unusable).toEqual(['empty.csv']);
    expect(messages(d)).toEqual(['empty.csv:2: no rows after the header: no spans']);
  });

  it('skips the header repeated by concatenating two tables', async () => {
    const d = await deriveCsv({ 'two.csv': table([...SHOP.slice(0, 4), ...SHOP.slice(0, 1), ...SHOP.slice(4)]) });
    expect(edgeLines(d)).toEqual(SHOP_EDGES);
    expect(d.warnings).toContain('repeated header rows skipped (concatenated CSV files?): 1 in two.csv');
    expect(d.rejectedCount).toBe(0);
  });
});

describe('--csv-columns', () => {
  /** A table whose header no common spelling matches: only the mapping can read it. */
  const ODD = table([
    'tid,sid,psid,pod,op,begin_us,finish_us',
    `${T1},a1a1a1a1a1a1a1a1,-,checkout-7c9d8f6b5d-x2kfp,POST /orders,1764000000000000,1764000000900000`,
    `${T1},b2b2b2b2b2b2b2b2,a1a1a1a1a1a1a1a1,payments-66b8f9c4d7-q8wzn,charge,1764000000100000,1764000000500000`,
  ]);
  const MAPPING = 'trace=tid,span=sid,parent=psid,service=pod,operation=op,start=begin_us,end=finish_us,start-unit=us';

  it('parses role=Header pairs and start-unit, and names every problem', () => {
    expect(parseCsvColumns(MAPPING)).toEqual({
      options: { columns: { trace: 'tid', span: 'sid', parent: 'psid', service: 'pod', operation: 'op', start: 'begin_us', end: 'finish_us' }, startUnit: 'us' },
    });
    expect(parseCsvColumns('trace=TraceID,host=Node,start-unit=minutes,span=')).toEqual({
      problems: [
        'unknown column role "host": expected trace, span, parent, service, pod, operation, start, end, kind, status, version, environment or start-unit',
        'start-unit must be one of s, ms, us, ns, got "minutes"',
        '"span=" names no column: write span=HeaderName',
      ],
    });
  });

  it('export reads a table through the mapping; without it the table is not recognised', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'odd.csv'), ODD);
    const mapped = await runCli(['export', '--input', 'odd.csv', '--csv-columns', MAPPING, '--format', 'json'], { cwd: dir });
    expect(mapped.code).toBe(0);
    const graph = JSON.parse(mapped.stdout);
    expect(graph.edges.map((e: { from: string; to: string; calls: number; firstSeen: string }) => [e.from, e.to, e.calls, e.firstSeen])).toEqual([
      ['checkout', 'payments', 1, '2025-11-24T16:00:00.100Z'],
    ]);
    expect(mapped.stderr).toContain('2 pod names read as 2 services');
    const unmapped = await runCli(['export', '--input', 'odd.csv', '--format', 'json'], { cwd: dir });
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr).toContain('odd.csv:1: not JSON, nor a CSV span table');
  });

  it('ingest and nightly take it too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'odd.csv'), ODD);
    const ingest = await runCli(['--db', 'store.db', 'ingest', 'odd.csv', '--csv-columns', MAPPING, '--json'], { cwd: dir });
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout).run).toMatchObject({ spans: 2, traces: 1, edges: 1 });
    writeFileSync(join(dir, 'next.csv'), ODD.replaceAll(T1, T2));
    const nightly = await runCli(['--db', 'store.db', 'nightly', 'next.csv', '--csv-columns', MAPPING, '--json'], { cwd: dir });
    expect(nightly.code).toBe(0);
    expect(JSON.parse(nightly.stdout)).toMatchObject({ baseline: 'established', run: { spans: 2, edges: 1 } });
  });

  it('a bad mapping is a usage error (exit 2)', async () => {
    const r = await runCli(['export', '--input', 'x.csv', '--csv-columns', 'trace=TraceID,host=Node']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--csv-columns: unknown column role "host"');
  });
});
