/**
 * `--from jaeger-dependencies` and `--from zipkin-dependencies`: the recorded answers of
 * fixtures/sources/ served by a local HTTP server as the backends serve them, and read as saved
 * files; mixed with trace files in one nightly run. Expected edges are SOURCE.md's table.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures/sources');
const JAEGER = join(FIXTURES, 'jaeger-dependencies.json');
const ZIPKIN = join(FIXTURES, 'zipkin-dependencies.json');
const AT = '2026-03-02T00:00:00.000Z';

/** SOURCE.md, "Expected answers". */
const JAEGER_EDGES = [
  { from: 'customer', to: 'mysql', type: 'sync', calls: 1042, errors: 0 },
  { from: 'driver', to: 'redis', type: 'sync', calls: 14588, errors: 0 },
  { from: 'frontend', to: 'customer', type: 'sync', calls: 1042, errors: 0 },
  { from: 'frontend', to: 'driver', type: 'sync', calls: 1042, errors: 0 },
  { from: 'frontend', to: 'route', type: 'sync', calls: 10420, errors: 0 },
];
/**
 * SOURCE.md: Zipkin's own links for the SmartThings trace, less its four self-links; every error
 * count 0 except execution -> alice.
 */
const ZIPKIN_LINKS = `
account -> auth 15, bookie -> account 15, bookie -> auth 14, bookie -> coresrv 13, bookie -> execution 2,
bouncer -> auth 1, bouncer -> pusher 5, coresrv -> auth 15, coresrv -> strongman 1, execution -> alice 1,
execution -> auth 3, execution -> bookie 16, execution -> bouncer 1, execution -> guardian 14, guardian -> platformapi 1,
paperboy -> auth 1, platformapi -> bookie 17, platformapi -> execution 14, platformapi -> gizmo 52, platformapi -> paperboy 1,
pusher -> dove 1, pusher -> oreck 1, stlogin -> auth 5, stlogin -> platformapi 53, stlogin -> strongman 1,
strongman -> auth 2, strongman -> platformapi 30, strongman -> stlogin 1`;
const ZIPKIN_EDGES = ZIPKIN_LINKS.split(',').map((link) => {
  const [, from, to, calls] = /^\s*(\S+) -> (\S+) (\d+)\s*$/.exec(link)!;
  return { from: from!, to: to!, type: 'sync', calls: Number(calls), errors: from === 'execution' && to === 'alice' ? 1 : 0 };
});

interface Exported {
  nodes: { id: string; kind: string }[];
  edges: { from: string; to: string; type: string; calls: number; errors: number; impact: string; confidence: string; reason: string; operations: unknown[]; lastSeen: string }[];
}

let server: Server;
let base = '';
const requests: URL[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url);
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    if (url.pathname === '/jaeger/api/dependencies') send(200, readFileSync(JAEGER, 'utf8'));
    else if (url.pathname === '/zipkin/api/v2/dependencies') send(200, readFileSync(ZIPKIN, 'utf8'));
    else send(404, '404 page not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function ingestAndExport(args: string[]): Promise<{ code: number; stderr: string; graph: Exported }> {
  const dir = tempDir();
  const db = join(dir, 'rollgraph.db');
  const ingest = await runCli(['--db', db, 'ingest', ...args, '--lookback', '24h', '--at', AT], { cwd: dir });
  const exported = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
  return { code: ingest.code, stderr: ingest.stderr, graph: JSON.parse(exported.stdout || '{"nodes":[],"edges":[]}') as Exported };
}

const counts = (graph: Exported) => graph.edges.map(({ from, to, type, calls, errors }) => ({ from, to, type, calls, errors }));

describe('--from jaeger-dependencies', () => {
  it('reads the links from a Jaeger query service for the window ending at --at', async () => {
    requests.length = 0;
    const { code, stderr, graph } = await ingestAndExport(['--from', 'jaeger-dependencies', `${base}/jaeger`]);
    expect(stderr).toContain(`read 5 edges (28,134 calls, aggregated counts without operations) from jaeger-dependencies ${base}/jaeger`);
    expect(code).toBe(0);
    expect(requests.map((u) => [u.pathname, u.searchParams.get('endTs'), u.searchParams.get('lookback')])).toEqual([
      ['/jaeger/api/dependencies', String(Date.parse(AT)), String(86_400_000)],
    ]);
    expect(counts(graph)).toEqual(JAEGER_EDGES);
    expect(graph.nodes.map((n) => [n.id, n.kind])).toEqual(['customer', 'driver', 'frontend', 'mysql', 'redis', 'route'].map((id) => [id, 'service']));
    for (const edge of graph.edges) {
      expect(edge).toMatchObject({ impact: 'coordinated', confidence: 'assumed', operations: [], lastSeen: AT });
      expect(edge.reason).toContain('aggregated call counts');
    }
  });

  it('reads the same links from a saved answer', async () => {
    const { code, graph } = await ingestAndExport(['--from', 'jaeger-dependencies', JAEGER]);
    expect(code).toBe(0);
    expect(counts(graph)).toEqual(JAEGER_EDGES);
  });
});

describe('the window of --from sources', () => {
  it('--window takes a duration as --lookback does; a number of spans keeps the default lookback; both at once is a usage error', async () => {
    const dir = tempDir();
    const run = (...args: string[]) => runCli(['--db', join(dir, `${args.join('-').replace(/\W/g, '')}.db`), 'ingest', '--from', 'jaeger-dependencies', `${base}/jaeger`, ...args, '--at', AT], { cwd: dir });
    requests.length = 0;
    expect((await run('--window', '6h')).code).toBe(0);
    expect((await run('--window', '5000')).code).toBe(0);
    expect(requests.map((u) => u.searchParams.get('lookback'))).toEqual([String(6 * 3_600_000), String(86_400_000)]);
    const both = await run('--window', '6h', '--lookback', '2h');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--window 24h and --lookback say the same thing: give one of them');
    const bad = await run('--window', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--window/);
  });
});

describe('--from zipkin-dependencies', () => {
  it('reads links and error counts from a Zipkin server; self-links are a warning', async () => {
    requests.length = 0;
    const { code, stderr, graph } = await ingestAndExport(['--from', 'zipkin-dependencies', `${base}/zipkin/`]);
    expect(code).toBe(0);
    expect(requests.map((u) => [u.pathname, u.searchParams.get('endTs'), u.searchParams.get('lookback')])).toEqual([
      ['/zipkin/api/v2/dependencies', String(Date.parse(AT)), String(86_400_000)],
    ]);
    expect(counts(graph)).toEqual(ZIPKIN_EDGES);
    expect(ZIPKIN_EDGES).toHaveLength(28);
    expect(stderr).toContain(`zipkin-dependencies ${base}/zipkin/: 281 calls of a service to itself are not edges`);
    expect(graph.nodes).toHaveLength(16);
  });

  it('reads the same links from a saved answer, and skips it when the store already holds it', async () => {
    const dir = tempDir();
    const db = join(dir, 'rollgraph.db');
    const first = await runCli(['--db', db, 'ingest', '--from', 'zipkin-dependencies', ZIPKIN, '--at', AT], { cwd: dir });
    expect(first.code).toBe(0);
    const again = await runCli(['--db', db, 'ingest', '--from', 'zipkin-dependencies', ZIPKIN, '--at', AT], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`skipped zipkin-dependencies ${ZIPKIN}: the store already holds this answer (run 1`);
    const exported = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
    expect(counts(JSON.parse(exported.stdout) as Exported)).toEqual(ZIPKIN_EDGES);
  });
});

describe('aggregated edges and trace files in one run', () => {
  it('nightly --from jaeger-dependencies FILE plus trace files stores both, and their baseline together', async () => {
    const dir = tempDir();
    const db = join(dir, 'rollgraph.db');
    const scenario = join(ROOT, 'fixtures/scenarios/new-api');
    const nightly = await runCli(['--db', db, 'nightly', '--from', 'jaeger-dependencies', JAEGER, join(scenario, 'day1.jsonl'), join(scenario, 'day2.jsonl'), '--at', AT, '--json'], {
      cwd: dir,
    });
    expect(nightly.code).toBe(0);
    const view = JSON.parse(nightly.stdout) as { baseline: string; run: { edges: number } };
    // fixtures/scenarios/expected.json: new-api has 3 edges; SOURCE.md: the Jaeger answer 5 more.
    expect(view).toMatchObject({ baseline: 'established', run: { edges: 3 + JAEGER_EDGES.length } });
    const exported = JSON.parse((await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir })).stdout) as Exported;
    const pairs = exported.edges.map((e) => `${e.from}->${e.to}`);
    expect(pairs).toEqual(expect.arrayContaining(['web->orders-api', 'mobile-bff->orders-api', 'orders-api->postgresql:orders', 'frontend->route', 'driver->redis']));
    // Trace-derived edges keep their evidence: operations and observed impacts.
    expect(exported.edges.find((e) => e.from === 'web')).toMatchObject({ impact: 'coordinated', confidence: 'observed' });
  });
});
