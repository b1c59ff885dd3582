/**
 * The only code that touches SQLite. The store keeps calls, not a serialized graph: per edge and
 * UTC day of span time, the calls, errors, operations with the versions that served and made
 * them, queues, environments and sample traces; per service, its versions with first and last
 * seen; the runs that wrote them; and the baseline of accepted edges. One run is one write
 * transaction (BEGIN IMMEDIATE ... COMMIT): all of it lands, or nothing.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { StoreError } from '../errors.js';
import type { BaselineEdge, CallTally, CallType, Impact, ServiceTally } from '../model.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface StoreOptions {
  /** Open for reading only; the store must exist. */
  readonly readonly?: boolean;
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

const MIN = (column: string) => `MIN(COALESCE(${column}, excluded.${column}), COALESCE(excluded.${column}, ${column}))`;
const MAX = (column: string) => `MAX(COALESCE(${column}, excluded.${column}), COALESCE(excluded.${column}, ${column}))`;

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
    if (options.readonly && !existsSync(path)) {
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
    try {
      if (from > 0) this.db.prepare('VACUUM INTO ?').run(`${this.path}.v${from}.bak`);
    } catch (error) {
      this.rollback();
      throw new StoreError(`cannot back up ${this.path} before migrating it (${describe(error)})`);
    }
    try {
      for (let v = from; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.commit();
    } catch (error) {
      this.rollback();
      throw new StoreError(`cannot migrate ${this.path} from schema version ${from} to ${SCHEMA_VERSION} (${describe(error)})`);
    }
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

  /** Adds a run's calls to the history: counts add up, sets merge, per edge and day. */
  addCalls(runId: number, tallies: Iterable<CallTally>): void {
    const node = this.db.prepare('INSERT INTO nodes (id, kind, first_run) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING');
    const edge = this.db.prepare(
      `INSERT INTO edges (from_node, from_kind, to_node, to_kind, type, first_run, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (from_node, to_node, type) DO UPDATE SET first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}
       RETURNING id`,
    );
    const day = this.db.prepare(
      `INSERT INTO edge_days (edge_id, day, calls, errors, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (edge_id, day) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors,
         first_ms = ${MIN('first_ms')}, last_ms = ${MAX('last_ms')}`,
    );
    const operation = this.db.prepare(
      `INSERT INTO edge_operations (edge_id, day, operation, calls) VALUES (?, ?, ?, ?)
       ON CONFLICT (edge_id, day, operation) DO UPDATE SET calls = calls + excluded.calls`,
    );
    const version = this.db.prepare('INSERT OR IGNORE INTO edge_operation_versions (edge_id, day, operation, side, version) VALUES (?, ?, ?, ?, ?)');
    const via = this.db.prepare(
      `INSERT INTO edge_vias (edge_id, day, via, calls) VALUES (?, ?, ?, ?)
       ON CONFLICT (edge_id, day, via) DO UPDATE SET calls = calls + excluded.calls`,
    );
    const environment = this.db.prepare('INSERT OR IGNORE INTO edge_environments (edge_id, day, environment) VALUES (?, ?, ?)');
    const sample = this.db.prepare(
      `INSERT INTO edge_samples (edge_id, day, trace_id, time_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (edge_id, day, trace_id) DO UPDATE SET time_ms = ${MIN('time_ms')}`,
    );
    const pruneSamples = this.db.prepare(
      `DELETE FROM edge_samples WHERE edge_id = :edge AND day = :day AND trace_id NOT IN (
         SELECT trace_id FROM edge_samples WHERE edge_id = :edge AND day = :day ORDER BY time_ms IS NULL, time_ms, trace_id LIMIT 3)`,
    );
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
   * calls without a span time count only then).
   */
  readCalls(sinceDay: string | null): CallTally[] {
    const since = sinceDay ?? '';
    const edges = new Map<number, Omit<CallTally, 'operations' | 'vias' | 'environments' | 'samples'> & {
      operations: Map<string, { name: string; calls: number; calleeVersions: string[]; callerVersions: string[] }>;
      vias: { via: string; calls: number }[];
      environments: string[];
      samples: { traceId: string; timeMs: number | null }[];
    }>();
    const rows = this.db
      .prepare(
        `SELECT e.id, e.from_node, e.from_kind, e.to_node, e.to_kind, e.type,
                SUM(d.calls) AS calls, SUM(d.errors) AS errors, MIN(d.first_ms) AS first_ms, MAX(d.last_ms) AS last_ms
         FROM edges e JOIN edge_days d ON d.edge_id = e.id WHERE d.day >= ? GROUP BY e.id ORDER BY e.id`,
      )
      .all(since) as Row[];
    for (const r of rows) {
      edges.set(r.id as number, {
        from: r.from_node as string,
        fromKind: r.from_kind as CallTally['fromKind'],
        to: r.to_node as string,
        toKind: r.to_kind as CallTally['toKind'],
        type: r.type as CallType,
        day: since,
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
    for (const r of this.db
      .prepare('SELECT edge_id, operation, SUM(calls) AS calls FROM edge_operations WHERE day >= ? GROUP BY edge_id, operation ORDER BY edge_id, operation')
      .all(since) as Row[]) {
      edges.get(r.edge_id as number)?.operations.set(r.operation as string, { name: r.operation as string, calls: r.calls as number, calleeVersions: [], callerVersions: [] });
    }
    for (const r of this.db
      .prepare('SELECT DISTINCT edge_id, operation, side, version FROM edge_operation_versions WHERE day >= ? ORDER BY edge_id, operation, side, version')
      .all(since) as Row[]) {
      const op = edges.get(r.edge_id as number)?.operations.get(r.operation as string);
      if (op !== undefined) (r.side === 'callee' ? op.calleeVersions : op.callerVersions).push(r.version as string);
    }
    for (const r of this.db.prepare('SELECT edge_id, via, SUM(calls) AS calls FROM edge_vias WHERE day >= ? GROUP BY edge_id, via ORDER BY edge_id, via').all(since) as Row[]) {
      edges.get(r.edge_id as number)?.vias.push({ via: r.via as string, calls: r.calls as number });
    }
    for (const r of this.db.prepare('SELECT DISTINCT edge_id, environment FROM edge_environments WHERE day >= ? ORDER BY edge_id, environment').all(since) as Row[]) {
      edges.get(r.edge_id as number)?.environments.push(r.environment as string);
    }
    for (const r of this.db
      .prepare(
        `SELECT edge_id, trace_id, MIN(time_ms) AS time_ms FROM edge_samples WHERE day >= ? GROUP BY edge_id, trace_id
         ORDER BY edge_id, MIN(time_ms) IS NULL, MIN(time_ms), trace_id`,
      )
      .all(since) as Row[]) {
      const e = edges.get(r.edge_id as number);
      if (e !== undefined && e.samples.length < 3) e.samples.push({ traceId: r.trace_id as string, timeMs: (r.time_ms as number | null) ?? null });
    }
    return [...edges.values()].map((e) => ({ ...e, operations: [...e.operations.values()] }));
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
      .prepare('SELECT MAX(t) AS newest FROM (SELECT MAX(last_ms) AS t FROM edge_days UNION ALL SELECT MAX(last_ms) FROM services)')
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

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code !== undefined ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(error));
}
