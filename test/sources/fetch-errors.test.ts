/**
 * A source that cannot be read fails the run before the store is touched: refused connection,
 * HTTP error, an answer that is not JSON, a Prometheus `{"status":"error"}` answer. Each is one
 * line naming the URL and what went wrong, exit 2, and the store's file is byte for byte the same.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const JAEGER = join(ROOT, 'fixtures/sources/jaeger-dependencies.json');
const PROMETHEUS_ERROR = { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:1: parse error: unexpected character' };

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const json = { 'content-type': 'application/json' };
    if (path.startsWith('/broken/')) res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream storage unavailable');
    else if (path.startsWith('/garbage/')) res.writeHead(200, json).end('<html><body>Sign in</body></html>');
    else if (path === '/prom-400/api/v1/query') res.writeHead(400, json).end(JSON.stringify(PROMETHEUS_ERROR));
    else if (path === '/prom-200/api/v1/query') res.writeHead(200, json).end(JSON.stringify(PROMETHEUS_ERROR));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A port nothing listens on: one a server had, closed again. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function storeWithOneRun() {
  const dir = tempDir();
  const db = join(dir, 'rollgraph.db');
  const first = await runCli(['--db', db, 'ingest', '--from', 'jaeger-dependencies', JAEGER], { cwd: dir });
  expect(first.code).toBe(0);
  const digest = () => createHash('sha256').update(readFileSync(db)).digest('hex');
  return { dir, db, before: digest(), digest };
}

describe('a source that cannot be read', () => {
  const cases: [string, () => Promise<string[]>, RegExp][] = [
    [
      'refused connection',
      async () => ['--from', 'jaeger-dependencies', `http://127.0.0.1:${await closedPort()}`],
      /^rollgraph: http:\/\/127\.0\.0\.1:\d+\/api\/dependencies\?endTs=\d+&lookback=86400000: cannot fetch \(ECONNREFUSED\)\n$/,
    ],
    ['HTTP 500', async () => ['--from', 'zipkin-dependencies', `${base}/broken`], /^rollgraph: http:\/\/127\.0\.0\.1:\d+\/broken\/api\/v2\/dependencies\?\S+: HTTP 500 Internal Server Error: upstream storage unavailable\n$/],
    ['an answer that is not JSON', async () => ['--from', 'jaeger-dependencies', `${base}/garbage`], /^rollgraph: http:\/\/127\.0\.0\.1:\d+\/garbage\/api\/dependencies\?\S+: the answer is not JSON \(.+\): <html><body>Sign in<\/body><\/html>\n$/],
    [
      'a Prometheus error answer (HTTP 400)',
      async () => ['--from', 'prometheus', `${base}/prom-400`],
      /^rollgraph: http:\/\/127\.0\.0\.1:\d+\/prom-400\/api\/v1\/query\?query=increase\(traces_service_graph_request_total\[86400s\]\): HTTP 400 Bad Request: bad_data: invalid parameter "query"/,
    ],
    [
      'a Prometheus error answer (status "error" in a 200)',
      async () => ['--from', 'prometheus', `${base}/prom-200`],
      /^rollgraph: prometheus http:\/\/127\.0\.0\.1:\d+\/prom-200 \(traces_service_graph_request_total\): status: Prometheus answered with an error \(bad_data\): invalid parameter "query"/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line naming the URL, exit 2, the store unchanged`, async () => {
      const store = await storeWithOneRun();
      const result = await runCli(['--db', store.db, 'ingest', ...(await args())], { cwd: store.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(store.digest()).toBe(store.before);
    });
  }

  it('a saved file that is not a dependencies answer names the field', async () => {
    const store = await storeWithOneRun();
    const result = await runCli(['--db', store.db, 'ingest', '--from', 'zipkin-dependencies', JAEGER], { cwd: store.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`rollgraph: zipkin-dependencies ${JAEGER}: (top level): expected a JSON array of dependency links, got an object\n`);
    expect(store.digest()).toBe(store.before);
  });

  it('usage mistakes: a kind without its URL, an unknown kind, nothing to read', async () => {
    const dir = tempDir();
    const cli = (args: string[]) => runCli(['--db', join(dir, 'rollgraph.db'), ...args], { cwd: dir });
    expect((await cli(['ingest', '--from', 'prometheus'])).stderr).toBe('rollgraph: --from prometheus needs a URL\n');
    expect((await cli(['ingest', '--from', 'grafana', 'http://x'])).stderr).toContain('--from takes a source kind (prometheus, jaeger-dependencies, zipkin-dependencies)');
    expect((await cli(['ingest'])).stderr).toContain('name trace files to read, or an aggregated source with --from');
    expect((await cli(['ingest', '--from', 'prometheus', 'metrics.json'])).stderr).toContain('--from prometheus takes the http(s) URL');
    expect((await cli(['nightly', '--from', 'prometheus', 'http://x', '--at', 'yesterday'])).code).toBe(2);
  });
});
