/**
 * `--from prometheus` against a real Prometheus: the test writes the service-graph counters of a
 * small shop (as the servicegraph connector exports them, with `service.version` dimensions and a
 * deploy of checkout halfway through the day) as OpenMetrics text, backfills them with promtool,
 * starts Prometheus on the data, and checks that the stored graph has the edges, counts and
 * versions the counters imply. Skipped, saying why, where the prometheus package is not installed
 * (`apt-get install -y prometheus`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const HAS_PROMETHEUS = ['prometheus', 'promtool'].every((binary) => spawnSync(binary, ['--version']).error === undefined);
const SKIP_REASON = 'prometheus and promtool are not installed (Debian: apt-get install -y prometheus)';
if (!HAS_PROMETHEUS) console.warn(`test/sources/prometheus.test.ts skipped: ${SKIP_REASON}`);

const STEP_S = 300;
const HOUR_S = 3600;
/** The end of the window the test asks about: midnight UTC, 2026-03-02. */
const AT_S = Date.UTC(2026, 2, 2) / 1000;
const WINDOW_S = 24 * HOUR_S;
/** checkout 1.10.0 replaces 1.9.0 ten hours before the end of the window. */
const DEPLOY_S = AT_S - 10 * HOUR_S;
/** Counters start well before the window, so each has a history when the window opens. */
const FIRST_S = AT_S - WINDOW_S - 3 * HOUR_S;

interface Series {
  readonly metric: 'traces_service_graph_request' | 'traces_service_graph_request_failed';
  readonly labels: Record<string, string>;
  /** Increase per 5-minute step while the series is active. */
  readonly perStep: number;
  /** [from, to) in Unix seconds during which it counts; outside, the value stays flat. */
  readonly active: readonly [number, number];
  /** When the series first appears (its value 0); before that it has no samples. */
  readonly born: number;
}

const OLD = [FIRST_S, DEPLOY_S] as const;
const NEW = [DEPLOY_S, AT_S + 1] as const;
const ALWAYS = [FIRST_S, AT_S + 1] as const;

function series(metric: Series['metric'], labels: Record<string, string>, perStep: number, active: readonly [number, number]): Series {
  return { metric, labels, perStep, active, born: active[0] === DEPLOY_S ? DEPLOY_S : FIRST_S };
}

const REQ = 'traces_service_graph_request' as const;
const FAILED = 'traces_service_graph_request_failed' as const;

const SERIES: readonly Series[] = [
  series(REQ, { client: 'user', server: 'frontend', connection_type: 'virtual_node', virtual_node: 'client', server_service_version: '2.0.0' }, 50, ALWAYS),
  series(REQ, { client: 'frontend', server: 'checkout', connection_type: '', client_service_version: '2.0.0', server_service_version: '1.9.0' }, 12, OLD),
  series(REQ, { client: 'frontend', server: 'checkout', connection_type: '', client_service_version: '2.0.0', server_service_version: '1.10.0' }, 20, NEW),
  series(FAILED, { client: 'frontend', server: 'checkout', connection_type: '', client_service_version: '2.0.0', server_service_version: '1.10.0' }, 2, NEW),
  series(REQ, { client: 'checkout', server: 'payments', connection_type: '', client_service_version: '1.9.0', server_service_version: '3.1.0' }, 7, OLD),
  series(REQ, { client: 'checkout', server: 'payments', connection_type: '', client_service_version: '1.10.0', server_service_version: '3.1.0' }, 9, NEW),
  series(FAILED, { client: 'checkout', server: 'payments', connection_type: '', client_service_version: '1.9.0', server_service_version: '3.1.0' }, 1, OLD),
  series(REQ, { client: 'checkout', server: 'orders', connection_type: 'database', client_db_system: 'postgresql', client_service_version: '1.10.0' }, 30, NEW),
  series(REQ, { client: 'checkout', server: 'fraud-check', connection_type: 'messaging_system', client_service_version: '1.10.0', server_service_version: '0.9.1' }, 3, NEW),
  series(REQ, { client: 'payments', server: 'api.stripe.com', connection_type: 'virtual_node', virtual_node: 'server', client_service_version: '3.1.0' }, 2, ALWAYS),
  series(REQ, { client: 'payments', server: 'unknown', connection_type: 'virtual_node', virtual_node: 'server', client_service_version: '3.1.0' }, 1, ALWAYS),
];

/** The counter's value at time t (seconds), from the series' definition. */
function valueAt(s: Series, t: number): number {
  const [from, to] = s.active;
  const counting = Math.max(0, Math.min(t, to - 1) - from);
  return Math.floor(counting / STEP_S) * s.perStep;
}

function openMetrics(): string {
  const lines: string[] = [];
  for (const metric of [REQ, FAILED]) {
    lines.push(`# TYPE ${metric} counter`);
    for (const s of SERIES.filter((x) => x.metric === metric)) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      for (let t = s.born; t <= AT_S; t += STEP_S) lines.push(`${metric}_total{${labels}} ${valueAt(s, t)} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** What rollgraph must store for the window: the counters' increase, summed per edge as the mapping says. */
function expectedEdges(): { from: string; to: string; type: string; calls: number; errors: number }[] {
  const edges = new Map<string, { from: string; to: string; type: string; calls: number; errors: number }>();
  for (const s of SERIES) {
    const { client, server, connection_type: kind, virtual_node: virtualSide } = s.labels as Record<string, string>;
    if (kind === 'virtual_node' && (virtualSide === 'client' || server === 'unknown')) continue; // entry point; unnamed node
    const to = kind === 'database' ? `${s.labels.client_db_system}:${server}` : server!;
    const type = kind === 'database' ? 'database' : kind === 'messaging_system' ? 'async' : kind === 'virtual_node' ? 'external' : 'sync';
    const key = `${client}->${to}`;
    const edge = edges.get(key) ?? { from: client!, to, type, calls: 0, errors: 0 };
    const increase = valueAt(s, AT_S) - valueAt(s, AT_S - WINDOW_S);
    if (s.metric === REQ) edge.calls += increase;
    else edge.errors += increase;
    edges.set(key, edge);
  }
  return [...edges.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function waitReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`prometheus exited with ${server.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`prometheus was not ready within 90s:\n${log()}`);
}

describe.skipIf(!HAS_PROMETHEUS)(`rollgraph ingest --from prometheus, against a real Prometheus${HAS_PROMETHEUS ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let server: ChildProcess | undefined;
  let url = '';
  let dir = '';

  beforeAll(async () => {
    dir = tempDir('rollgraph-prometheus-');
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFileSync(join(dir, 'servicegraph.om.txt'), openMetrics());
    const backfill = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'servicegraph.om.txt'), data], { encoding: 'utf8' });
    if (backfill.status !== 0) throw new Error(`promtool failed:\n${backfill.stdout}\n${backfill.stderr}`);
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    let log = '';
    server = spawn(
      'prometheus',
      [`--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, `--config.file=${join(dir, 'prometheus.yml')}`, '--storage.tsdb.retention.time=100y'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitReady(url, server, () => log);
  }, 120_000);

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('stores the edges, counts and versions the backfilled counters imply', async () => {
    const db = join(dir, 'rollgraph.db');
    const at = new Date(AT_S * 1000).toISOString();
    const ingest = await runCli(['--db', db, 'ingest', '--from', 'prometheus', url, '--lookback', '24h', '--at', at, '--json'], { cwd: dir });
    expect(ingest.code).toBe(0);
    const expected = expectedEdges();
    expect(JSON.parse(ingest.stdout).run).toMatchObject({ id: 1, spans: 0, edges: expected.length });
    expect(ingest.stderr).toContain('calls from outside (client="user") mark their servers as entry points');
    expect(ingest.stderr).toContain('calls to an uninstrumented server the metrics do not name (server="unknown") were left out');

    const exported = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
    expect(exported.code).toBe(0);
    const graph = JSON.parse(exported.stdout) as {
      nodes: { id: string; kind: string; versions: string[]; entrypoint: boolean }[];
      edges: { from: string; to: string; type: string; calls: number; errors: number; impact: string; confidence: string; reason: string; operations: unknown[]; firstSeen: string; lastSeen: string }[];
    };
    expect(graph.edges.map(({ from, to, type, calls, errors }) => ({ from, to, type, calls, errors }))).toEqual(expected);
    for (const edge of graph.edges) {
      expect(edge.operations).toEqual([]);
      expect(edge.lastSeen).toBe(at);
    }
    const node = (id: string) => graph.nodes.find((n) => n.id === id);
    expect(node('checkout')).toMatchObject({ kind: 'service', versions: ['1.9.0', '1.10.0'], entrypoint: false });
    expect(node('frontend')).toMatchObject({ kind: 'service', versions: ['2.0.0'], entrypoint: true });
    expect(node('payments')).toMatchObject({ kind: 'service', versions: ['3.1.0'] });
    expect(node('fraud-check')).toMatchObject({ kind: 'service', versions: ['0.9.1'] });
    expect(node('postgresql:orders')).toMatchObject({ kind: 'database' });
    expect(node('api.stripe.com')).toMatchObject({ kind: 'external' });
    expect(node('unknown')).toBeUndefined();
    expect(node('user')).toBeUndefined();

    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to)!;
    expect(edge('frontend', 'checkout')).toMatchObject({ impact: 'coordinated', confidence: 'assumed' });
    expect(edge('frontend', 'checkout').reason).toContain('aggregated call counts');
    expect(edge('frontend', 'checkout').reason).toContain('checkout 1.9.0');
    expect(edge('checkout', 'postgresql:orders')).toMatchObject({ impact: 'data-migration', confidence: 'assumed' });
    expect(edge('checkout', 'postgresql:orders').reason).toContain('aggregated call counts');
    expect(edge('checkout', 'fraud-check')).toMatchObject({ type: 'async', impact: 'independent' });

    // The same answer again (same --at) is skipped like a file already ingested.
    const again = await runCli(['--db', db, 'ingest', '--from', 'prometheus', url, '--at', at], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('the store already holds this answer (run 1');
  });
});
