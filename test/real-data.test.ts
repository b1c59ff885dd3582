/**
 * Real exports from other projects, with the answers their own tests assert (fixtures/real,
 * each folder with its SOURCE.md). Where rollgraph's rules differ on purpose, the fixture's
 * expected answer says why.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveFiles, edgeLines } from './helpers/otlp.js';
import { expectItDependencies, itDependenciesExpected } from './helpers/itdependencies.js';

const REAL = new URL('../fixtures/real/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, REAL));

describe('grafana-agent servicegraphprocessor fixtures', () => {
  it('trace-sample.json: lb -> app 3 calls, app -> db 3 calls (processor_test.go:226-227)', async () => {
    const d = await deriveFiles({ 'trace-sample.json': read('grafana-agent/trace-sample.json') });
    // The Agent counts lb -> app failed 2 by HTTP status; rollgraph, like Tempo, counts span status ERROR: 1.
    expect(edgeLines(d)).toEqual(['app -> db sync 3/0', 'lb -> app sync 3/1']);
    expect(d.rejectedCount).toBe(0);
    expect(d.warnings.join('\n')).toContain('snake_case');
    expect(d.stats).toMatchObject({ spans: 17, traces: 2, missingParents: 0, selfCalls: 0 });
  });

  it('unpaired-trace-sample.json (every parentSpanId removed): no edges at all (processor_test.go:44-55)', async () => {
    const d = await deriveFiles({ 'unpaired-trace-sample.json': read('grafana-agent/unpaired-trace-sample.json') });
    expect(edgeLines(d)).toEqual([]);
    // Six CLIENT spans whose only address is `http.url: app:80`, not a URL with a host.
    expect(d.stats.unresolvedExits).toBe(6);
    expect(d.view.nodes.filter((n) => n.entrypoint).map((n) => n.id)).toEqual(['app', 'db']);
  });

  it('both files in one ingest give the paired file’s edges', async () => {
    const d = await deriveFiles({
      'trace-sample.json': read('grafana-agent/trace-sample.json'),
      'unpaired-trace-sample.json': read('grafana-agent/unpaired-trace-sample.json'),
    });
    expect(edgeLines(d)).toEqual(['app -> db sync 3/0', 'lb -> app sync 3/1']);
  });
});

describe('otelcol servicegraph connector golden traces (converted from YAML)', () => {
  const cases: Record<string, string[]> = {
    // The connector: foo-server -> bar-requester 1, connection_type "" (db/messaging attributes on the wrong side change nothing).
    'extra-dimensions-queue-db-trace.json': ['foo-server -> bar-requester sync 1/0'],
    'messaging-system-trace.json': ['foo-server -> bar-requester sync 1/0'],
    // The connector invents `user` and `unknown`; rollgraph names the caller from peer.service and counts the unresolved exit.
    'virtual-node-label-trace.json': ['external-platform -> bar-requester sync 1/0'],
    // `peer.service.name` is not a peer-name attribute: the root server span is an entry point.
    'virtual-node-label-client-trace.json': [],
  };
  for (const [file, expected] of Object.entries(cases)) {
    it(file, async () => {
      const d = await deriveFiles({ [file]: read(`otelcol-servicegraph/${file}`) });
      expect(edgeLines(d)).toEqual(expected);
      expect(d.rejectedCount).toBe(0);
    });
  }

  it('virtual-node-label-trace.json counts the CLIENT span with nothing resolvable', async () => {
    const d = await deriveFiles({ f: read('otelcol-servicegraph/virtual-node-label-trace.json') });
    expect(d.stats.unresolvedExits).toBe(1);
    expect(d.view.nodes.map((n) => n.id)).toEqual(['bar-requester', 'external-platform', 'foo-server']);
  });
});

describe('zipkin ITDependencies scenarios, expressed in OTLP', () => {
  const expected = itDependenciesExpected();
  const files = readdirSync(new URL('zipkin-itdependencies/', REAL)).filter((f) => f.endsWith('.otlp.json'));

  it('covers all 16 scenarios', () => {
    expect(files).toHaveLength(16);
    expect(Object.keys(expected).sort()).toEqual(files.map((f) => f.replace('.otlp.json', '')).sort());
  });

  for (const file of files) {
    const name = file.replace('.otlp.json', '');
    it(name, async () => {
      const d = await deriveFiles({ [file]: read(`zipkin-itdependencies/${file}`) });
      expectItDependencies(d, expected[name]!);
    });
  }
});
