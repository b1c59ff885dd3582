/**
 * `impact` and `plan` read only the part of a stored graph a rollback touches. Their answers
 * must equal those from the whole graph: on random stored graphs (real tags from operations and
 * versions, not given impacts) and on every service of the demo and the rollback scenarios.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readNeighbourhood } from '../../src/cli/read-graph.js';
import { analyzeStore } from '../../src/cli/store-graph.js';
import { describeImpact } from '../../src/graph/describe-impact.js';
import { planRevert } from '../../src/graph/plan-revert.js';
import { tagImpacts } from '../../src/graph/tag-impacts.js';
import type { CallTally, CallType, NodeKind, ServiceTally } from '../../src/model.js';
import { Store } from '../../src/store/store.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const VIRTUAL: readonly { name: string; kind: NodeKind; type: CallType }[] = [
  { name: 'postgresql:orders', kind: 'database', type: 'database' },
  { name: 'kafka:events', kind: 'queue', type: 'async' },
  { name: 'api.payments.example', kind: 'external', type: 'external' },
  // Names used as two kinds, and a peer name that is an instrumented service (it becomes that service).
  { name: 'api.payments.example', kind: 'database', type: 'database' },
  { name: 'svc-1', kind: 'external', type: 'external' },
];
const OPERATIONS = ['GET /a', 'POST /b', 'PUT /c', 'SELECT', 'INSERT'];

const randomStore = fc
  .record({
    services: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 10 }),
    edges: fc.array(
      fc.record({
        from: fc.nat(11),
        to: fc.nat(14),
        operations: fc.array(fc.record({ op: fc.nat(OPERATIONS.length - 1), callers: fc.nat(7), callees: fc.nat(7) }), { minLength: 1, maxLength: 3 }),
      }),
      { maxLength: 30 },
    ),
    targets: fc.array(fc.nat(9), { minLength: 1, maxLength: 3 }),
    toVersion: fc.nat(2),
  })
  .map(({ services, edges, targets, toVersion }) => {
    const names = services.map((_, i) => `svc-${i}`);
    const versionsOf = (i: number) => Array.from({ length: services[i]! }, (_, v) => `${v + 1}.0`);
    // A bit mask picks the versions that called or served an operation.
    const pickVersions = (all: string[], mask: number) => all.filter((_, v) => (mask >> v) & 1);
    const tallies = new Map<string, CallTally>();
    for (const e of edges) {
      // Callers beyond the services: a queue's consumers and a named uninstrumented caller (R5).
      const caller = e.from < 10 ? { name: names[e.from % names.length]!, kind: 'service' as NodeKind } : VIRTUAL[e.from - 9]!;
      const from = e.from < 10 ? e.from % names.length : -1;
      const callee = e.to < 10 ? { name: names[e.to % names.length]!, kind: 'service' as NodeKind, type: 'sync' as CallType } : VIRTUAL[e.to - 10]!;
      if (from < 0 && callee.kind !== 'service') continue;
      const type: CallType = from < 0 ? (caller.kind === 'queue' ? 'async' : 'sync') : callee.type;
      const key = `${caller.name}>${callee.name}>${type}`;
      if (callee.name === caller.name || tallies.has(key)) continue;
      const operations = new Map<string, { name: string; calls: number; calleeVersions: string[]; callerVersions: string[] }>();
      for (const o of e.operations) {
        const name = OPERATIONS[o.op]!;
        if (operations.has(name)) continue;
        const calleeVersions = callee.kind === 'service' ? pickVersions(versionsOf(Number(callee.name.slice(4))), o.callees) : [];
        operations.set(name, { name, calls: 1 + o.callers, calleeVersions, callerVersions: from < 0 ? [] : pickVersions(versionsOf(from), o.callers) });
      }
      const ops = [...operations.values()];
      tallies.set(key, {
        from: caller.name, fromKind: caller.kind, to: callee.name, toKind: callee.kind, type, day: '2026-01-01',
        calls: ops.reduce((n, o) => n + o.calls, 0), errors: 0, firstMs: null, lastMs: null, operations: ops, vias: [], environments: [], samples: [],
      });
    }
    const serviceTallies: ServiceTally[] = names.map((name, i) => ({
      name, spans: 1, entrypoint: i === 0, environments: [], firstMs: 0, lastMs: 10,
      versions: versionsOf(i).map((version, v) => ({ version, firstMs: v, lastMs: 10 })),
    }));
    const chosen = [...new Set(targets.map((t) => names[t % names.length]!))];
    return { tallies: [...tallies.values()], services: serviceTallies, targets: chosen, toVersion: versionsOf(names.indexOf(chosen[0]!))[toVersion % services[names.indexOf(chosen[0]!)]!]! };
  });

function writeStore(path: string, tallies: readonly CallTally[], services: readonly ServiceTally[]): void {
  const store = Store.open(path);
  try {
    store.begin();
    const runId = store.recordRun({ command: 'ingest', startedAt: 'a', finishedAt: 'b', status: 'ok', spans: 0, traces: 0, calls: 0, rejected: 0, warnings: [], inputs: [] });
    store.addCalls(runId, tallies);
    store.addServices(runId, services);
    store.commit();
  } finally {
    store.close();
  }
}

/** The plan for `targets` and the impact of the first of them (against `toVersion`: the impact only), from the whole store and from the part read around them. */
function answers(store: Store, targets: readonly string[], toVersion?: string) {
  const toVersions = new Map(toVersion === undefined ? [] : [[targets[0]!, toVersion]]);
  const tagsFor = toVersion === undefined ? undefined : (g: { graph: Parameters<typeof tagImpacts>[0] }) => tagImpacts(g.graph, { toVersions });
  const whole = analyzeStore(store, null);
  const part = readNeighbourhood(store, null, { targets, tagsFor }, Infinity)!;
  const of = (g: typeof whole | typeof part) => ({
    impact: JSON.stringify(describeImpact(g.graph, { service: targets[0]!, toVersion, tags: g.tags })),
    // With --to-version only `impact` answers (its plan is inside); `plan` always rolls back to previous versions.
    plan: toVersion === undefined ? JSON.stringify(planRevert(g.graph, g.tags, targets)) : null,
  });
  return { whole: of(whole), part: of(part), partEdges: part.graph.size, wholeEdges: whole.graph.size };
}

describe('reading the part of the store a rollback touches', () => {
  it('gives the impact and the plan the whole graph gives, on random stored graphs', () => {
    const dir = tempDir('rollgraph-neighbourhood-');
    let n = 0;
    let smaller = 0;
    fc.assert(
      fc.property(randomStore, fc.boolean(), ({ tallies, services, targets, toVersion }, withVersion) => {
        const path = join(dir, `s${n++}.db`);
        writeStore(path, tallies, services);
        const store = Store.open(path, { readonly: true });
        try {
          const got = answers(store, targets, withVersion ? toVersion : undefined);
          if (got.partEdges < got.wholeEdges) smaller++;
          expect(got.part).toEqual(got.whole);
          // The summary's counts, from the index alone, are the whole graph's.
          const whole = analyzeStore(store, null).graph;
          expect(store.countGraph()).toEqual({ services: whole.filterNodes((_n, a) => a.kind === 'service').length, edges: whole.size });
        } finally {
          store.close();
        }
      }),
      { numRuns: 300 },
    );
    expect(smaller).toBeGreaterThan(10); // the walk really read less than everything
  });

  it('gives the same answers for every service of the demo and of each rollback scenario', async () => {
    const dir = tempDir('rollgraph-neighbourhood-');
    const sets = [
      ['demo', ['fixtures/demo/day1', 'fixtures/demo/day2']],
      ...['new-api', 'schema-change', 'payment-provider', 'queue', 'call-cycle'].map((s) => [s, [`fixtures/scenarios/${s}/day1.jsonl`, `fixtures/scenarios/${s}/day2.jsonl`]] as const),
    ] as const;
    for (const [name, inputs] of sets) {
      const db = join(dir, `${name}.db`);
      for (const input of inputs) expect((await runCli(['--db', db, 'ingest', join(ROOT, input)])).code).toBe(0);
      const store = Store.open(db, { readonly: true });
      try {
        const services = analyzeStore(store, null).graph.filterNodes((_n, a) => a.kind === 'service' && a.versions.length > 0);
        expect(services.length).toBeGreaterThan(1);
        for (const service of services) {
          const got = answers(store, [service]);
          expect(got.part, `${name}: ${service}`).toEqual(got.whole);
        }
      } finally {
        store.close();
      }
    }
  });

  it('answers on the command line as it did from the whole graph, with the same summary', async () => {
    const dir = tempDir('rollgraph-neighbourhood-');
    const db = join(dir, 'demo.db');
    for (const day of ['day1', 'day2']) expect((await runCli(['--db', db, 'ingest', join(ROOT, 'fixtures/demo', day)])).code).toBe(0);
    // --since reads every edge of the given history: here all of it.
    for (const argv of [['impact', 'inventory', '--json'], ['impact', 'checkout', '--to-version', '2.4.0', '--json'], ['plan', 'inventory', 'catalog', '--format', 'json']]) {
      const part = await runCli(['--db', db, ...argv]);
      const whole = await runCli(['--db', db, ...argv, '--since', '3650d']);
      expect(part.code).toBe(0);
      expect(part.stdout).toBe(whole.stdout);
      expect(part.stderr.replace('all of its history', 'H')).toBe(whole.stderr.replace(/history since [^,]+/, 'H'));
    }
  });
});
