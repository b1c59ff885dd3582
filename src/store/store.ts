/**
 * The only code that touches SQLite. The store keeps calls, not a serialized graph: per edge and
 * UTC day of span time, the calls, errors, operations with the versions that served and made
 * them, queues, environments and sample traces, and per edge the same over all of its history
 * (kept as runs write, so the whole history reads one row per edge); per service, its versions
 * with first and last seen; the runs that wrote them; and the baseline of accepted edges. One run
 * is one write transaction (BEGIN IMMEDIATE ... COMMIT): all of it lands, or nothing.
 * src/store/codec.ts encodes the history; schema.ts says where it goes.
 */
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { StoreError } from '../errors.js';
import type { BaselineEdge, CallTally, CallType, Impact, ServiceTally } from '../model.js';
import {
  type Aggregate,
  type Contents,
  type Dictionary,
  type OperationAggregate,
  type Shape,
  type Strings,
  addDay,
  addTally,
  contentsOf,
  decodeShape,
  decodeTotals,
  dayNumber,
  emptyAggregate,
  encodeDay,
  encodeShape,
  encodeTotals,
  sinceNumber,
  totalsAggregate,
} from './codec.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface StoreOptions {
  /** Open for reading only; the store must exist. */
  readonly readonly?: boolean;
  /** Refuse to create a store that does not exist yet (a command that only changes one). */
  readonly mustExist?: boolean;
  /** How long to wait for another run's write lock before giving up. */
  readonly busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export interface RunRecord {
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: 'ok' | 'skipped';
  readonly spans: number;
  readonly traces: number;
  readonly calls: number;
  readonly rejected: number;
  readonly warnings: readonly string[];
  readonly inputs: readonly { readonly name: string; readonly sha256: string; readonly bytes: number | null; readonly spans: number; readonly skipped: boolean }[];
}

export interface IngestedInput {
  readonly runId: number;
  readonly name: string;
}

type Row = Record<string, unknown>;

/** The column of a time span to widen on conflict: a name chosen here, never a value (test/security/sql-statements.test.ts). */
type SpanColumn = 'first_ms' | 'last_ms';
const MIN = (column: SpanColumn) => `MIN(COALESCE(${column}, excluded.${column}), COALESCE(excluded.${column}, ${column}))`;
const MAX = (column: SpanColumn) => `MAX(COALESCE(${column}, excluded.${column}), COALESCE(excluded.${column}, ${column}))`;

export class Store {
  private inTransaction = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /**
   * Opens (and, unless read-only, creates) the store at `path`, migrating an older schema after
   * taking a backup beside it (`<path>.v<N>.bak`).
   */
  static open(path: string, options: StoreOptions = {}): Store {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if ((options.readonly || options.mustExist) && !existsSync(path)) {
      throw new StoreError(`no store at ${path}: run \`rollgraph nightly\` or \`rollgraph ingest\` first, or read trace files with --input`);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, timeout: busyTimeoutMs });
    } catch (error) {
      throw new StoreError(`cannot open the store ${path} (${describe(error)})`);
    }
    const store = new Store(db, path, busyTimeoutMs);
    try {
      store.prepare(options.readonly ?? false);
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  private prepare(readonly: boolean): void {
    let version: number;
    try {
      version = this.db.pragma('user_version', { simple: true }) as number;
      if (version === 0) {
        const tables = this.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
        if (tables.n > 0) throw new StoreError(`${this.path} is an SQLite database, but not a rollgraph store`);
      }
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${this.path} is not a rollgraph store (${describe(error)})`);
    }
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`${this.path} has schema version ${version}, newer than this rollgraph supports (${SCHEMA_VERSION}): upgrade rollgraph`);
    }
    if (version < SCHEMA_VERSION) {
      if (readonly) {
        // Migrating needs a write: reopen briefly for it.
        const writer = Store.open(this.path, { busyTimeoutMs: this.busyTimeoutMs });
        writer.close();
        return;
      }
      this.migrate(version);
    }
    if (!readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
    }
    this.db.pragma('foreign_keys = ON');
  }

  private migrate(from: number): void {
    this.begin();
    // Another run may have migrated the store while this one waited for the lock.
    from = this.schemaVersion;
    if (from >= SCHEMA_VERSION) {
      this.rollback();
      return;
    }
    // Written under a temporary name and renamed: a backup killed halfway, or one left by an
    // earlier attempt that failed, never stands in the way (VACUUM INTO refuses an existing file)
    // nor passes for a whole backup.
    const partial = `${this.path}.v${from}.bak.${process.pid}.tmp`;
    try {
      // VACUUM cannot run inside a transaction: a second connection copies the store as it is
      // under this one's write lock, which readers may share.
      if (from > 0) {
        rmSync(partial, { force: true });
        const reader = new Database(this.path, { readonly: true, fileMustExist: true, timeout: this.busyTimeoutMs });
        try {
          reader.prepare('VACUUM INTO ?').run(partial);
        } finally {
          reader.close();
        }
        renameSync(partial, `${this.path}.v${from}.bak`);
      }
    } catch (error) {
      rmSync(partial, { force: true });
      this.rollback();
      throw new StoreError(`cannot back up ${this.path} before migrating it (${describe(error)})`);
    }
    try {
      for (let v = from; v < SCHEMA_VERSION; v++) {
        const migration = MIGRATIONS[v]!;
        if (typeof migration === 'string') {
          this.db.exec(migration);
        } else {
          this.db.exec(migration.sql);
          this.convertV1History();
          this.db.exec(migration.cleanup);
        }
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.commit();
    } catch (error) {
      this.rollback();
      throw new StoreError(`cannot migrate ${this.path} from schema version ${from} to ${SCHEMA_VERSION} (${describe(error)})`);
    }
    if (from > 0) {
      // Give the space of the old tables back. The store is migrated whether or not this works.
      try {
        this.db.exec('VACUUM');
      } catch {
        // A full disk, say: the store stays as large as it was, and correct.
      }
    }
  }

  /** v1 -> v2: the per-day rows of v1's tables, written again as v2's day rows and totals. */
  private convertV1History(): void {
    const byEdge = (sql: string) => this.db.prepare(sql);
    const days = byEdge('SELECT day, calls, errors, first_ms, last_ms FROM v1_edge_days WHERE edge_id = ? ORDER BY day');
    const operations = byEdge('SELECT day, operation, calls FROM edge_operations WHERE edge_id = ?');
    const versions = byEdge('SELECT day, operation, side, version FROM edge_operation_versions WHERE edge_id = ?');
    const vias = byEdge('SELECT day, via, calls FROM edge_vias WHERE edge_id = ?');
    const environments = byEdge('SELECT day, environment FROM edge_environments WHERE edge_id = ?');
    const samples = byEdge('SELECT day, trace_id, time_ms FROM edge_samples WHERE edge_id = ?');
    const writer = new HistoryWriter(this.db);
    for (const { id } of this.db.prepare('SELECT id FROM edges ORDER BY id').all() as { id: number }[]) {
      const tallies = new Map<string, V1Day>();
      for (const r of days.all(id) as Row[]) {
        tallies.set(r.day as string, {
          calls: r.calls as number,
          errors: r.errors as number,
          firstMs: (r.first_ms as number | null) ?? null,
          lastMs: (r.last_ms as number | null) ?? null,
          operations: new Map(),
          vias: [],
          environments: [],
          samples: [],
        });
      }
      for (const r of operations.all(id) as Row[]) {
        tallies.get(r.day as string)?.operations.set(r.operation as string, { name: r.operation as string, calls: r.calls as number, calleeVersions: [], callerVersions: [] });
      }
      for (const r of versions.all(id) as Row[]) {
        const op = tallies.get(r.day as string)?.operations.get(r.operation as string);
        if (op !== undefined) (r.side === 'callee' ? op.calleeVersions : op.callerVersions).push(r.version as string);
      }
      for (const r of vias.all(id) as Row[]) tallies.get(r.day as string)?.vias.push({ via: r.via as string, calls: r.calls as number });
      for (const r of environments.all(id) as Row[]) tallies.get(r.day as string)?.environments.push(r.environment as string);
      for (const r of samples.all(id) as Row[]) {
        tallies.get(r.day as string)?.samples.push({ traceId: r.trace_id as string, timeMs: (r.time_ms as number | null) ?? null });
      }
      for (const [day, t] of tallies) writer.add(id, dayNumber(day), { ...t, operations: [...t.operations.values()] }, { calls: 0, errors: 0, totals: null });
      if (id % 1000 === 0) writer.finish(); // bounded memory on a large store
    }
    writer.finish();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Takes the write lock for one run; waits up to the busy timeout for another run to finish. */
  begin(): void {
    try {
      this.db.exec('BEGIN IMMEDIATE');
      this.inTransaction = true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') {
        throw new StoreError(
          `the store is busy: another rollgraph run is writing to ${this.path} (waited ${Math.round(this.busyTimeoutMs / 1000)} s); try again when it has finished`,
        );
      }
      throw new StoreError(`cannot write to the store ${this.path} (${describe(error)})`);
    }
  }

  commit(): void {
    this.db.exec('COMMIT');
    this.inTransaction = false;
  }

  rollback(): void {
    if (this.inTransaction) this.db.exec('ROLLBACK');
    this.inTransaction = false;
  }

  close(): void {
    this.rollback();
    this.db.close();
  }

  /** The run that ingested content with this hash, if any. */
  findIngested(sha256: string): IngestedInput | null {
    const row = this.db.prepare('SELECT run_id, name FROM run_inputs WHERE sha256 = ? AND skipped = 0 LIMIT 1').get(sha256) as Row | undefined;
    return row === undefined ? null : { runId: row.run_id as number, name: row.name as string };
  }

  recordRun(run: RunRecord): number {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO runs (command, started_at, finished_at, status, spans, traces, calls, rejected, warnings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.command, run.startedAt, run.finishedAt, run.status, run.spans, run.traces, run.calls, run.rejected, JSON.stringify(run.warnings));
    const runId = Number(lastInsertRowid);
    const input = this.db.prepare('INSERT INTO run_inputs (run_id, name, sha256, bytes, spans, skipped) VALUES (?, ?, ?, ?, ?, ?)');
    for (const i of run.inputs) input.run(runId, i.name, i.sha256, i.bytes, i.spans, i.skipped ? 1 : 0);
    return runId;
  }

  countRuns(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM runs`).get() as { n: number }).n;
  }

  /**
   * Adds a run's calls to the history: counts add up, sets merge, per edge and day, and into the
   * edge's totals over all of its history.
   */
  addCalls(runId: number, tallies: Iterable<CallTally>): void {
    const node = this.db.prepare('INSERT INTO nodes (id, kind, first_run) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING');
    const edge = this.db.prepare(
      `INSERT INTO edges (from_node, from_kind, to_node, to_kind, type, first_run, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (from_node, to_node, type) DO UPDATE SET first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}
       RETURNING id, calls, errors, totals`,
    );
    const nodes = new Set<string>();
    const writer = new HistoryWriter(this.db);
    for (const t of tallies) {
      for (const [id, kind] of [
        [t.from, t.fromKind],
        [t.to, t.toKind],
      ] as const) {
        if (nodes.has(id)) continue;
        node.run(id, kind, runId);
        nodes.add(id);
      }
      const row = edge.get(t.from, t.fromKind, t.to, t.toKind, t.type, runId, t.firstMs, t.lastMs) as EdgeTotalsRow & { id: number };
      writer.add(row.id, dayNumber(t.day), t, row);
    }
    writer.finish();
  }

  addServices(runId: number, services: Iterable<ServiceTally>): void {
    const service = this.db.prepare(
      `INSERT INTO services (name, first_run, spans, entrypoint, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET spans = spans + excluded.spans, entrypoint = MAX(entrypoint, excluded.entrypoint),
         first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}`,
    );
    const version = this.db.prepare(
      `INSERT INTO service_versions (service, version, first_ms, last_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (service, version) DO UPDATE SET first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}`,
    );
    const environment = this.db.prepare('INSERT OR IGNORE INTO service_environments (service, environment) VALUES (?, ?)');
    for (const s of services) {
      service.run(s.name, runId, s.spans, s.entrypoint ? 1 : 0, s.firstMs, s.lastMs);
      for (const v of s.versions) version.run(s.name, v.version, v.firstMs, v.lastMs);
      for (const e of s.environments) environment.run(s.name, e);
    }
  }

  /**
   * The call history, one tally per edge over the days from `sinceDay` (all days when null;
   * calls without a span time count only then). Lists come sorted as SQLite sorts text.
   */
  readCalls(sinceDay: string | null): CallTally[] {
    return sinceDay === null || sinceDay === '' ? this.readTotals() : this.readDays(sinceNumber(sinceDay), sinceDay);
  }

  /** All of the history: the totals row of every edge. */
  private readTotals(): CallTally[] {
    const strings = this.strings();
    const tallies: CallTally[] = [];
    const rows = this.db
      .prepare('SELECT from_node, from_kind, to_node, to_kind, type, calls, errors, first_ms, last_ms, totals FROM edges WHERE totals IS NOT NULL ORDER BY id')
      .raw()
      .iterate() as IterableIterator<unknown[]>;
    const shared = new Map<string, readonly string[]>();
    for (const r of rows) tallies.push(tally(r, '', r[5] as number, r[6] as number, r[7] as number | null, r[8] as number | null, decodeTotals(r[9] as Buffer, strings, shared)));
    return tallies;
  }

  /**
   * The whole-history tallies of the edges into (`to`) or out of (`from`) each named node, by
   * edge id, added to `into`: a part of what `readCalls(null)` returns, read through an index.
   */
  readCallsOf(side: 'from' | 'to', nodes: Iterable<string>, into: Map<number, CallTally>): void {
    const lookup = this.db.prepare('SELECT value FROM strings WHERE id = ?').pluck();
    const known = new Map<number, string>();
    // Only the strings these edges name (a lookup each), not the whole dictionary.
    const strings: Strings = (id) => {
      let value = known.get(id);
      if (value === undefined) {
        value = (lookup.get(id) as string | undefined) ?? damaged(`no string ${id}`);
        known.set(id, value);
      }
      return value;
    };
    const statement = this.db.prepare(
      `SELECT from_node, from_kind, to_node, to_kind, type, calls, errors, first_ms, last_ms, totals, id FROM edges WHERE ${side === 'from' ? 'from_node' : 'to_node'} = ? AND totals IS NOT NULL`,
    );
    const shared = new Map<string, readonly string[]>();
    for (const node of nodes) {
      for (const r of statement.raw().iterate(node) as IterableIterator<unknown[]>) {
        const id = r[10] as number;
        if (!into.has(id)) into.set(id, tally(r, '', r[5] as number, r[6] as number, r[7] as number | null, r[8] as number | null, decodeTotals(r[9] as Buffer, strings, shared)));
      }
    }
  }

  /**
   * How many services and edges the graph of the whole history has, counted as the graph is
   * built (src/graph/build-graph.ts): a name that is an instrumented service is that service, a
   * call to it is sync, and a call that reaches its own caller is no edge.
   */
  countGraph(): { services: number; edges: number } {
    // From the covering index of the edges' ends: the totals are not read.
    return this.db
      .prepare(
        `WITH e AS (SELECT from_node, from_kind, to_node, to_kind, type FROM edges WHERE totals IS NOT NULL AND from_node <> to_node)
         SELECT (SELECT count(*) FROM e)
              - (SELECT count(*) FROM e WHERE type = 'external' AND (to_kind = 'service' OR to_node IN (SELECT name FROM services))
                   AND EXISTS (SELECT 1 FROM edges s WHERE s.from_node = e.from_node AND s.to_node = e.to_node AND s.type = 'sync' AND s.totals IS NOT NULL)) AS edges,
                (SELECT count(*) FROM services)
              + (SELECT count(DISTINCT n) FROM (SELECT from_node AS n FROM e WHERE from_kind = 'service' UNION ALL SELECT to_node FROM e WHERE to_kind = 'service')
                   WHERE n NOT IN (SELECT name FROM services)) AS services`,
      )
      .get() as { services: number; edges: number };
  }

  /** The day rows from `since` on, merged per edge. */
  private readDays(since: number, sinceDay: string): CallTally[] {
    const strings = this.strings();
    const shapeBlobs = new Map((this.db.prepare('SELECT id, detail FROM shapes').raw().all() as [number, Buffer][]).map(([id, detail]) => [id, detail]));
    const shapes = new Map<number, Shape>();
    const edges = new Map<number, { aggregate: Aggregate; merged: Map<Shape, OperationAggregate[]> }>();
    const rows = this.db.prepare('SELECT day, edge_id, calls, errors, shape, detail FROM edge_days WHERE day >= ?').raw().iterate(since) as IterableIterator<
      [number, number, number, number, number, Buffer]
    >;
    for (const [day, edgeId, calls, errors, shapeId, detail] of rows) {
      let shape = shapes.get(shapeId);
      if (shape === undefined) {
        const blob = shapeBlobs.get(shapeId);
        if (blob === undefined) throw new StoreError(`the store's history is damaged: no shape ${shapeId}`);
        shape = decodeShape(blob, strings);
        shapes.set(shapeId, shape);
      }
      let edge = edges.get(edgeId);
      if (edge === undefined) {
        edge = { aggregate: emptyAggregate(), merged: new Map() };
        edges.set(edgeId, edge);
      }
      addDay(edge.aggregate, day, calls, errors, shape, detail, edge.merged);
    }
    const tallies: CallTally[] = [];
    for (const r of this.db.prepare('SELECT id, from_node, from_kind, to_node, to_kind, type FROM edges ORDER BY id').raw().iterate() as IterableIterator<unknown[]>) {
      const a = edges.get(r[0] as number)?.aggregate;
      if (a !== undefined) tallies.push(tally(r.slice(1), sinceDay, a.calls, a.errors, a.firstMs, a.lastMs, contentsOf(a)));
    }
    return tallies;
  }

  /** The dictionary, by id. */
  private strings(): Strings {
    const values: string[] = [];
    for (const [id, value] of this.db.prepare('SELECT id, value FROM strings').raw().iterate() as IterableIterator<[number, string]>) values[id] = value;
    return (id) => values[id] ?? damaged(`no string ${id}`);
  }

  /** Services seen since `sinceMs` (all when null), with the versions seen since then. */
  readServices(sinceMs: number | null): ServiceTally[] {
    const services = new Map<string, ServiceTally & { versions: ServiceTally['versions'][number][]; environments: string[] }>();
    const seenSince = sinceMs === null ? '' : 'WHERE last_ms >= ?';
    const args = sinceMs === null ? [] : [sinceMs];
    for (const r of this.db.prepare(`SELECT name, spans, entrypoint, first_ms, last_ms FROM services ${seenSince} ORDER BY name`).all(...args) as Row[]) {
      services.set(r.name as string, {
        name: r.name as string,
        spans: r.spans as number,
        entrypoint: r.entrypoint === 1,
        firstMs: (r.first_ms as number | null) ?? null,
        lastMs: (r.last_ms as number | null) ?? null,
        versions: [],
        environments: [],
      });
    }
    for (const r of this.db.prepare(`SELECT service, version, first_ms, last_ms FROM service_versions ${seenSince} ORDER BY service, version`).all(...args) as Row[]) {
      services.get(r.service as string)?.versions.push({
        version: r.version as string,
        firstMs: (r.first_ms as number | null) ?? null,
        lastMs: (r.last_ms as number | null) ?? null,
      });
    }
    for (const r of this.db.prepare('SELECT service, environment FROM service_environments ORDER BY service, environment').all() as Row[]) {
      services.get(r.service as string)?.environments.push(r.environment as string);
    }
    return [...services.values()];
  }

  /** The newest span time in the store: "now" for stale edges and `--since`, whatever the clock says. */
  newestSpanMs(): number | null {
    const row = this.db
      .prepare('SELECT MAX(t) AS newest FROM (SELECT MAX(last_ms) AS t FROM edges UNION ALL SELECT MAX(last_ms) FROM services)')
      .get() as { newest: number | null };
    return row.newest ?? null;
  }

  readBaseline(): BaselineEdge[] {
    return (this.db.prepare('SELECT from_node, to_node, type, impact, accepted_at, note FROM baseline ORDER BY from_node, to_node, type').all() as Row[]).map((r) => ({
      from: r.from_node as string,
      to: r.to_node as string,
      type: r.type as CallType,
      impact: r.impact as Impact,
      acceptedAt: r.accepted_at as string,
      note: (r.note as string | null) ?? null,
    }));
  }

  /** Adds edges to the baseline, or updates the impact and note of edges already in it. */
  accept(edges: Iterable<{ readonly from: string; readonly to: string; readonly type: CallType; readonly impact: Impact }>, when: string, note: string | null, runId: number | null): number {
    const upsert = this.db.prepare(
      `INSERT INTO baseline (from_node, to_node, type, impact, accepted_at, run_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (from_node, to_node, type) DO UPDATE SET impact = excluded.impact, accepted_at = excluded.accepted_at,
         run_id = excluded.run_id, note = COALESCE(excluded.note, note)`,
    );
    let n = 0;
    for (const e of edges) {
      upsert.run(e.from, e.to, e.type, e.impact, when, runId, note);
      n++;
    }
    return n;
  }

  /** `PRAGMA integrity_check`: 'ok' for a sound store. */
  checkIntegrity(): string {
    return (this.db.pragma('integrity_check', { simple: true }) as string) ?? 'unknown';
  }
}

/** An edge's columns (from, kinds, to, type) and its history as `readCalls` returns it. */
function tally(edge: unknown[], day: string, calls: number, errors: number, firstMs: number | null, lastMs: number | null, contents: Contents): CallTally {
  return {
    from: edge[0] as string,
    fromKind: edge[1] as CallTally['fromKind'],
    to: edge[2] as string,
    toKind: edge[3] as CallTally['toKind'],
    type: edge[4] as CallType,
    day,
    calls,
    errors,
    firstMs: firstMs ?? null,
    lastMs: lastMs ?? null,
    operations: contents.operations,
    vias: contents.vias,
    environments: contents.environments,
    samples: contents.samples,
  };
}

function damaged(what: string): never {
  throw new StoreError(`the store's history is damaged: ${what}`);
}

interface EdgeTotalsRow {
  readonly calls: number;
  readonly errors: number;
  readonly totals: Buffer | null;
}

interface V1Day {
  calls: number;
  errors: number;
  firstMs: number | null;
  lastMs: number | null;
  operations: Map<string, { name: string; calls: number; calleeVersions: string[]; callerVersions: string[] }>;
  vias: { via: string; calls: number }[];
  environments: string[];
  samples: { traceId: string; timeMs: number | null }[];
}

/**
 * Writes calls into the history within the open transaction. `add` takes an edge-day's calls and
 * merges them into the edge's totals in memory; `finish` writes the day rows in key order (so a
 * night's new rows append to the end of the table), each merged with what its day already held,
 * then the totals and the shapes' reference counts. Strings and shapes are looked up once per
 * writer; `finish` may be called more than once.
 */
class HistoryWriter {
  private readonly days: { day: number; edge: number; tally: Omit<CallTally, 'from' | 'fromKind' | 'to' | 'toKind' | 'type' | 'day'> }[] = [];
  private readonly totals = new Map<number, Aggregate>();
  private readonly stringIds = new Map<string, number>();
  private readonly stringValues = new Map<number, string>();
  private readonly shapeIds = new Map<string, number>();
  private readonly shapes = new Map<number, Shape>();
  private readonly refs = new Map<number, number>();
  private readonly dictionary: Dictionary = { id: (value) => this.stringId(value) };
  private readonly strings: Strings = (id) => this.stringValue(id);
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      stringId: db.prepare('SELECT id FROM strings WHERE value = ?').pluck(),
      addString: db.prepare('INSERT INTO strings (value) VALUES (?)'),
      stringValue: db.prepare('SELECT value FROM strings WHERE id = ?').pluck(),
      shapeId: db.prepare('SELECT id FROM shapes WHERE detail = ?').pluck(),
      addShape: db.prepare('INSERT INTO shapes (refs, detail) VALUES (0, ?)'),
      shape: db.prepare('SELECT detail FROM shapes WHERE id = ?').pluck(),
      refShape: db.prepare('UPDATE shapes SET refs = refs + ? WHERE id = ?'),
      dropShape: db.prepare('DELETE FROM shapes WHERE id = ? AND refs <= 0'),
      day: db.prepare('SELECT calls, errors, shape, detail FROM edge_days WHERE day = ? AND edge_id = ?'),
      addDay: db.prepare('INSERT INTO edge_days (day, edge_id, calls, errors, shape, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      setDay: db.prepare('UPDATE edge_days SET calls = ?, errors = ?, shape = ?, detail = ? WHERE day = ? AND edge_id = ?'),
      setTotals: db.prepare('UPDATE edges SET calls = ?, errors = ?, totals = ? WHERE id = ?'),
    };
  }

  /** One edge-day's calls; `edge` is the edge's totals as the store holds them (before this writer's). */
  add(edgeId: number, day: number, t: CallTally | Omit<CallTally, 'from' | 'fromKind' | 'to' | 'toKind' | 'type' | 'day'>, edge: EdgeTotalsRow): void {
    let totals = this.totals.get(edgeId);
    if (totals === undefined) {
      totals = edge.totals === null ? emptyAggregate() : totalsAggregate(edge.calls, edge.errors, decodeTotals(edge.totals, this.strings));
      this.totals.set(edgeId, totals);
    }
    addTally(totals, t);
    this.days.push({ day, edge: edgeId, tally: t });
  }

  finish(): void {
    this.days.sort((a, b) => a.day - b.day || a.edge - b.edge);
    const s = this.statements;
    for (const { day, edge, tally } of this.days) {
      const a = emptyAggregate();
      const before = s.day.get(day, edge) as { calls: number; errors: number; shape: number; detail: Buffer } | undefined;
      if (before !== undefined) addDay(a, day, before.calls, before.errors, this.shape(before.shape), before.detail);
      addTally(a, tally);
      const shape = this.shapeId(encodeShape(a, this.dictionary));
      const detail = encodeDay(a, day);
      if (before === undefined) {
        s.addDay.run(day, edge, a.calls, a.errors, shape, detail);
        this.ref(shape, 1);
      } else {
        s.setDay.run(a.calls, a.errors, shape, detail, day, edge);
        if (shape !== before.shape) {
          this.ref(before.shape, -1);
          this.ref(shape, 1);
        }
      }
    }
    for (const [edge, a] of this.totals) s.setTotals.run(a.calls, a.errors, encodeTotals(a, this.dictionary), edge);
    for (const [shape, delta] of this.refs) {
      if (delta !== 0) s.refShape.run(delta, shape);
      if (delta <= 0 && s.dropShape.run(shape).changes > 0) {
        for (const [key, id] of this.shapeIds) if (id === shape) this.shapeIds.delete(key);
        this.shapes.delete(shape);
      }
    }
    this.days.length = 0;
    this.totals.clear();
    this.refs.clear();
  }

  private ref(shape: number, delta: number): void {
    this.refs.set(shape, (this.refs.get(shape) ?? 0) + delta);
  }

  private stringId(value: string): number {
    let id = this.stringIds.get(value);
    if (id === undefined) {
      id = (this.statements.stringId.get(value) as number | undefined) ?? Number(this.statements.addString.run(value).lastInsertRowid);
      this.stringIds.set(value, id);
      this.stringValues.set(id, value);
    }
    return id;
  }

  private stringValue(id: number): string {
    let value = this.stringValues.get(id);
    if (value === undefined) {
      value = (this.statements.stringValue.get(id) as string | undefined) ?? damaged(`no string ${id}`);
      this.stringValues.set(id, value);
      this.stringIds.set(value, id);
    }
    return value;
  }

  private shapeId(blob: Buffer): number {
    const key = blob.toString('latin1');
    let id = this.shapeIds.get(key);
    if (id === undefined) {
      id = (this.statements.shapeId.get(blob) as number | undefined) ?? Number(this.statements.addShape.run(blob).lastInsertRowid);
      this.shapeIds.set(key, id);
    }
    return id;
  }

  private shape(id: number): Shape {
    let shape = this.shapes.get(id);
    if (shape === undefined) {
      shape = decodeShape((this.statements.shape.get(id) as Buffer | undefined) ?? damaged(`no shape ${id}`), this.strings);
      this.shapes.set(id, shape);
    }
    return shape;
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code !== undefined ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(error));
}
