/**
 * The store's call history gives back exactly what a plain aggregation of everything written
 * gives, for the whole history and from any day on: the rules schema v1 answered with SQL (counts
 * add up, sets merge, first/last are the min/max of the known times, a trace keeps its earliest
 * time and the earliest 3 traces by time then trace id stay; lists sorted as SQLite sorts text).
 * Random runs of tallies are written through the Store API, and, for the migration, with schema
 * v1's own statements into a v1 store that the Store then migrates.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import type { CallTally, CallType, NodeKind } from '../../src/model.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/cli.js';

const DAYS = ['', '1969-12-31', '1970-01-01', '2026-01-01', '2026-01-02', '2026-01-31', '2026-02-01', '2400-02-29'];
const SINCE = ['1000-01-01', '1970-01-01', '2026-01-01', '2026-01-02', '2026-01-15', '2026-02-01', '2400-02-29', '9999-12-31'];
const BASE = Date.UTC(2026, 0, 1);

/** Text that UTF-16 and UTF-8 order differently (U+FF5E against U+1F600), and plain ASCII. */
const text = fc.oneof(
  fc.constantFrom('GET /a', 'GET /b', 'SELECT', 'a', 'b', 'A', '\uff5e', '\u{1f600}', 'é', 'e\u0301', ''),
  fc.string({ unit: 'binary', maxLength: 4 }).filter((s) => !s.includes('\u0000')),
);
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const traceId = fc.oneof(hex32, hex32, fc.constantFrom('0'.repeat(32), 'F'.repeat(32), 'abc', 'trace-\u{1f600}', '0123456789abcdef0123456789abcdeg'));
const time = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -2 * 86_400_000, max: 40 * 86_400_000 }).map((x) => BASE + x),
  fc.tuple(fc.integer({ min: 0, max: 86_400_000 }), fc.integer({ min: 1, max: 999_999 })).map(([ms, ns]) => BASE + ms + ns / 1e6),
  fc.constantFrom(0, 1.5, -86_400_000, 8.64e15, 2 ** 53),
);
const count = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 ** 40 }));
const EDGES: readonly (readonly [string, NodeKind, string, NodeKind, CallType])[] = [
  ['web', 'service', 'api', 'service', 'sync'],
  ['api', 'service', 'postgresql:main', 'database', 'database'],
  ['api', 'service', 'kafka:orders', 'queue', 'async'],
  ['api', 'service', 'stripe.com', 'external', 'external'],
  ['\u{1f600}', 'service', 'api', 'service', 'sync'],
];

const tally: fc.Arbitrary<CallTally> = fc
  .record({
    edge: fc.constantFrom(...EDGES),
    day: fc.constantFrom(...DAYS),
    calls: count,
    errors: count,
    firstMs: time,
    lastMs: time,
    operations: fc.array(
      fc.record({ name: text, calls: count, calleeVersions: fc.array(text, { maxLength: 3 }), callerVersions: fc.array(text, { maxLength: 3 }) }),
      { maxLength: 4 },
    ),
    vias: fc.array(fc.record({ via: text, calls: count }), { maxLength: 2 }),
    environments: fc.array(text, { maxLength: 3 }),
    samples: fc.array(fc.record({ traceId, timeMs: time }), { maxLength: 5 }),
  })
  .map(({ edge: [from, fromKind, to, toKind, type], ...rest }) => ({ from, fromKind, to, toKind, type, ...rest }));

const runs = fc.array(fc.array(tally, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 });

/** SQLite's BINARY order: UTF-8 bytes. */
const binary = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The history from `since` on (every day, and calls without a time, when null), aggregated plainly. */
function expected(written: readonly (readonly CallTally[])[], since: string | null): CallTally[] {
  const edges = new Map<string, CallTally[]>();
  for (const t of written.flat()) {
    const key = `${t.from}\u0000${t.to}\u0000${t.type}`;
    if (!edges.has(key)) edges.set(key, []);
    edges.get(key)!.push(t);
  }
  const result: CallTally[] = [];
  for (const all of edges.values()) {
    const tallies = all.filter((t) => since === null || (t.day !== '' && t.day >= since));
    if (tallies.length === 0) continue;
    const known = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
    const firsts = known(tallies.map((t) => t.firstMs));
    const lasts = known(tallies.map((t) => t.lastMs));
    const operations = new Map<string, { calls: number; callee: Set<string>; caller: Set<string> }>();
    const vias = new Map<string, number>();
    const environments = new Set<string>();
    const samples = new Map<string, number | null>();
    for (const t of tallies) {
      for (const op of t.operations) {
        const o = operations.get(op.name) ?? { calls: 0, callee: new Set<string>(), caller: new Set<string>() };
        operations.set(op.name, o);
        o.calls += op.calls;
        op.calleeVersions.forEach((v) => o.callee.add(v));
        op.callerVersions.forEach((v) => o.caller.add(v));
      }
      for (const v of t.vias) vias.set(v.via, (vias.get(v.via) ?? 0) + v.calls);
      t.environments.forEach((e) => environments.add(e));
      for (const s of t.samples) {
        const was = samples.get(s.traceId);
        samples.set(s.traceId, was === undefined || was === null ? s.timeMs : s.timeMs === null ? was : Math.min(was, s.timeMs));
      }
    }
    const first = all[0]!;
    result.push({
      from: first.from,
      fromKind: first.fromKind,
      to: first.to,
      toKind: first.toKind,
      type: first.type,
      day: since ?? '',
      calls: tallies.reduce((n, t) => n + t.calls, 0),
      errors: tallies.reduce((n, t) => n + t.errors, 0),
      firstMs: firsts.length === 0 ? null : Math.min(...firsts),
      lastMs: lasts.length === 0 ? null : Math.max(...lasts),
      operations: [...operations.keys()].sort(binary).map((name) => {
        const o = operations.get(name)!;
        return { name, calls: o.calls, calleeVersions: [...o.callee].sort(binary), callerVersions: [...o.caller].sort(binary) };
      }),
      vias: [...vias.keys()].sort(binary).map((via) => ({ via, calls: vias.get(via)! })),
      environments: [...environments].sort(binary),
      samples: [...samples]
        .map(([id, timeMs]) => ({ traceId: id, timeMs }))
        .sort((a, b) =>
          a.timeMs === b.timeMs ? binary(a.traceId, b.traceId) : a.timeMs === null ? 1 : b.timeMs === null ? -1 : a.timeMs - b.timeMs || binary(a.traceId, b.traceId),
        )
        .slice(0, 3),
    });
  }
  return result;
}

function writeRuns(store: Store, written: readonly (readonly CallTally[])[]): void {
  for (const tallies of written) {
    store.begin();
    const runId = store.recordRun({ command: 'ingest', startedAt: 'a', finishedAt: 'b', status: 'ok', spans: 0, traces: 0, calls: 0, rejected: 0, warnings: [], inputs: [] });
    store.addCalls(runId, tallies);
    store.commit();
  }
}

/** Schema v1's own writes (src/store/store.ts before schema v2), for the migration. */
function writeV1(path: string, written: readonly (readonly CallTally[])[]): void {
  const db = new Database(path);
  db.exec(MIGRATIONS[0] as string);
  db.pragma('user_version = 1');
  const MIN = (column: string) => `MIN(COALESCE(${column}, excluded.${column}), COALESCE(excluded.${column}, ${column}))`;
  const MAX = (column: string) => `MAX(COALESCE(${column}, excluded.${column}), COALESCE(excluded.${column}, ${column}))`;
  const run = db.prepare(`INSERT INTO runs (command, started_at, finished_at, status, spans, traces, calls, rejected, warnings) VALUES ('ingest', 'a', 'b', 'ok', 0, 0, 0, 0, '[]')`);
  const node = db.prepare('INSERT INTO nodes (id, kind, first_run) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING');
  const edge = db.prepare(
    `INSERT INTO edges (from_node, from_kind, to_node, to_kind, type, first_run, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (from_node, to_node, type) DO UPDATE SET first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}
     RETURNING id`,
  );
  const day = db.prepare(
    `INSERT INTO edge_days (edge_id, day, calls, errors, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (edge_id, day) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors,
       first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}`,
  );
  const operation = db.prepare(
    `INSERT INTO edge_operations (edge_id, day, operation, calls) VALUES (?, ?, ?, ?)
     ON CONFLICT (edge_id, day, operation) DO UPDATE SET calls = calls + excluded.calls`,
  );
  const version = db.prepare('INSERT OR IGNORE INTO edge_operation_versions (edge_id, day, operation, side, version) VALUES (?, ?, ?, ?, ?)');
  const via = db.prepare(
    `INSERT INTO edge_vias (edge_id, day, via, calls) VALUES (?, ?, ?, ?)
     ON CONFLICT (edge_id, day, via) DO UPDATE SET calls = calls + excluded.calls`,
  );
  const environment = db.prepare('INSERT OR IGNORE INTO edge_environments (edge_id, day, environment) VALUES (?, ?, ?)');
  const sample = db.prepare(
    `INSERT INTO edge_samples (edge_id, day, trace_id, time_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (edge_id, day, trace_id) DO UPDATE SET time_ms = ${MIN('time_ms')}`,
  );
  const pruneSamples = db.prepare(
    `DELETE FROM edge_samples WHERE edge_id = :edge AND day = :day AND trace_id NOT IN (
       SELECT trace_id FROM edge_samples WHERE edge_id = :edge AND day = :day ORDER BY time_ms IS NULL, time_ms, trace_id LIMIT 3)`,
  );
  for (const tallies of written) {
    db.transaction(() => {
      const runId = Number(run.run().lastInsertRowid);
      for (const t of tallies) {
        node.run(t.from, t.fromKind, runId);
        node.run(t.to, t.toKind, runId);
        const { id } = edge.get(t.from, t.fromKind, t.to, t.toKind, t.type, runId, t.firstMs, t.lastMs) as { id: number };
        day.run(id, t.day, t.calls, t.errors, t.firstMs, t.lastMs);
        for (const op of t.operations) {
          operation.run(id, t.day, op.name, op.calls);
          for (const v of op.calleeVersions) version.run(id, t.day, op.name, 'callee', v);
          for (const v of op.callerVersions) version.run(id, t.day, op.name, 'caller', v);
        }
        for (const v of t.vias) via.run(id, t.day, v.via, v.calls);
        for (const e of t.environments) environment.run(id, t.day, e);
        for (const s of t.samples) sample.run(id, t.day, s.traceId, s.timeMs);
        pruneSamples.run({ edge: id, day: t.day });
      }
    })();
  }
  db.close();
}

function expectHistory(store: Store, written: readonly (readonly CallTally[])[]): void {
  expect(store.readCalls(null)).toEqual(expected(written, null));
  expect(store.readCalls('')).toEqual(expected(written, null));
  for (const since of SINCE) expect(store.readCalls(since), `since ${since}`).toEqual(expected(written, since));
}

/** Each shape's reference count is the number of day rows using it, and none is unused. */
function expectShapesCounted(path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    const used = db.prepare('SELECT shape AS id, count(*) AS refs FROM edge_days GROUP BY shape ORDER BY shape').all();
    expect(db.prepare('SELECT id, refs FROM shapes ORDER BY id').all()).toEqual(used);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    db.close();
  }
}

const dirs: string[] = [];
function scratch(): string {
  const dir = tempDir('rollgraph-history-');
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the call history', () => {
  it('reads back what was written, whole or from any day on, run after run', () => {
    const dir = scratch();
    let n = 0;
    fc.assert(
      fc.property(runs, (written) => {
        const path = join(dir, `h${n++}.db`);
        const store = Store.open(path);
        try {
          for (let i = 1; i <= written.length; i++) {
            writeRuns(store, written.slice(i - 1, i));
            expectHistory(store, written.slice(0, i));
          }
        } finally {
          store.close();
        }
        expectShapesCounted(path);
      }),
      { numRuns: 60 },
    );
  });

  it('migrates a v1 history to the same answers', () => {
    const dir = scratch();
    let n = 0;
    fc.assert(
      fc.property(runs, runs, (before, after) => {
        const path = join(dir, `m${n++}.db`);
        writeV1(path, before);
        const store = Store.open(path);
        try {
          expect(store.schemaVersion).toBe(SCHEMA_VERSION);
          expectHistory(store, before);
          writeRuns(store, after);
          expectHistory(store, [...before, ...after]);
        } finally {
          store.close();
        }
        expectShapesCounted(path);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps an edge-day in under 150 bytes (v1: about 860), and reads the whole history from the totals alone', () => {
    // A 90-day history of 2,000 services scaled down: 400 edges, 20 days, 3 operations with versions and
    // 3 sample traces an edge a day.
    const path = join(scratch(), 'compact.db');
    const store = Store.open(path);
    const written: CallTally[][] = [];
    for (let d = 0; d < 20; d++) {
      const base = BASE + d * 86_400_000;
      const day = new Date(base).toISOString().slice(0, 10);
      const tallies: CallTally[] = [];
      for (let s = 0; s < 100; s++) {
        for (let e = 0; e < 4; e++) {
          tallies.push({
            from: `svc-${s}`,
            fromKind: 'service',
            to: `svc-${(s * 7 + e * 13 + 1) % 100}-${e}`,
            toKind: 'service',
            type: 'sync',
            day,
            calls: 1000,
            errors: 3,
            firstMs: base,
            lastMs: base + 86_000_000,
            operations: [0, 1, 2].map((k) => ({ name: `GET /api/v${k}/resource-${e}/{id}`, calls: 300, calleeVersions: [`1.${d >> 3}.0`], callerVersions: [`2.${d >> 4}.0`] })),
            vias: [],
            environments: ['production'],
            samples: [0, 1, 2].map((k) => ({ traceId: (s * 1000 + e * 10 + k + d * 1e7).toString(16).padStart(32, '0'), timeMs: base + k })),
          });
        }
      }
      written.push(tallies);
    }
    writeRuns(store, written);
    const whole = store.readCalls(null);
    expect(whole).toEqual(expected(written, null));
    store.close();
    const db = new Database(path);
    const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    expect(bytes / 8000, 'bytes per edge-day').toBeLessThan(150);
    db.exec('DELETE FROM edge_days');
    db.close();
    const reopened = Store.open(path, { readonly: true });
    try {
      expect(reopened.readCalls(null)).toEqual(whole);
      expect(reopened.readCalls('2026-01-01')).toEqual([]);
    } finally {
      reopened.close();
    }
  });

  it('refuses a day it cannot keep, and a day it cannot read from, with a StoreError', () => {
    const store = Store.open(join(scratch(), 'bad.db'));
    try {
      const t: CallTally = { from: 'a', fromKind: 'service', to: 'b', toKind: 'service', type: 'sync', day: '2026-02-30', calls: 1, errors: 0, firstMs: null, lastMs: null, operations: [], vias: [], environments: [], samples: [] };
      store.begin();
      const runId = store.recordRun({ command: 'ingest', startedAt: 'a', finishedAt: 'b', status: 'ok', spans: 0, traces: 0, calls: 0, rejected: 0, warnings: [], inputs: [] });
      expect(() => store.addCalls(runId, [t])).toThrow(StoreError);
      expect(() => store.addCalls(runId, [{ ...t, day: '+012026-01' }])).toThrow(/expected a UTC day YYYY-MM-DD/);
      store.rollback();
      expect(() => store.readCalls('yesterday')).toThrow(StoreError);
      // Before any real day (v1 compared text): every dated day.
      expect(store.readCalls('-000001-01')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
