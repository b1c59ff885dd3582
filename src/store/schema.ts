/**
 * The store's schema, one forward migration per version (`PRAGMA user_version`). A migration is
 * applied in the same transaction as the version bump, so a store is always at one version.
 * Never edit a released migration: add the next one, and a fixture store of the old version
 * (fixtures/stores/) so the test migrates it.
 */

/** A migration whose data SQL alone cannot move: its SQL, then the store's conversion, then `cleanup`. */
export interface Migration {
  readonly sql: string;
  /** Which conversion of the store's code runs between `sql` and `cleanup`. */
  readonly convert: 'v1-history';
  readonly cleanup: string;
}

export const MIGRATIONS: readonly (string | Migration)[] = [
  // v1: runs and their inputs; the call history per edge and UTC day; services; the baseline.
  `
  CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    command     TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('ok', 'skipped')),
    spans       INTEGER NOT NULL,
    traces      INTEGER NOT NULL,
    calls       INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    warnings    TEXT    NOT NULL
  );
  CREATE TABLE run_inputs (
    run_id  INTEGER NOT NULL REFERENCES runs (id),
    name    TEXT    NOT NULL,
    sha256  TEXT    NOT NULL,
    bytes   INTEGER,
    spans   INTEGER NOT NULL,
    skipped INTEGER NOT NULL CHECK (skipped IN (0, 1)),
    PRIMARY KEY (run_id, name)
  );
  CREATE INDEX run_inputs_by_content ON run_inputs (sha256) WHERE skipped = 0;

  CREATE TABLE nodes (
    id        TEXT    PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('service', 'database', 'queue', 'external')),
    first_run INTEGER NOT NULL REFERENCES runs (id)
  );
  CREATE TABLE edges (
    id        INTEGER PRIMARY KEY,
    from_node TEXT    NOT NULL REFERENCES nodes (id),
    from_kind TEXT    NOT NULL,
    to_node   TEXT    NOT NULL REFERENCES nodes (id),
    to_kind   TEXT    NOT NULL,
    type      TEXT    NOT NULL CHECK (type IN ('sync', 'async', 'database', 'external')),
    first_run INTEGER NOT NULL REFERENCES runs (id),
    first_ms  REAL,
    last_ms   REAL,
    UNIQUE (from_node, to_node, type)
  );
  CREATE TABLE edge_days (
    edge_id  INTEGER NOT NULL REFERENCES edges (id),
    day      TEXT    NOT NULL,
    calls    INTEGER NOT NULL,
    errors   INTEGER NOT NULL,
    first_ms REAL,
    last_ms  REAL,
    PRIMARY KEY (edge_id, day)
  ) WITHOUT ROWID;
  CREATE INDEX edge_days_by_day ON edge_days (day);
  CREATE TABLE edge_operations (
    edge_id   INTEGER NOT NULL,
    day       TEXT    NOT NULL,
    operation TEXT    NOT NULL,
    calls     INTEGER NOT NULL,
    PRIMARY KEY (edge_id, day, operation)
  ) WITHOUT ROWID;
  CREATE TABLE edge_operation_versions (
    edge_id   INTEGER NOT NULL,
    day       TEXT    NOT NULL,
    operation TEXT    NOT NULL,
    side      TEXT    NOT NULL CHECK (side IN ('callee', 'caller')),
    version   TEXT    NOT NULL,
    PRIMARY KEY (edge_id, day, operation, side, version)
  ) WITHOUT ROWID;
  CREATE TABLE edge_vias (
    edge_id INTEGER NOT NULL,
    day     TEXT    NOT NULL,
    via     TEXT    NOT NULL,
    calls   INTEGER NOT NULL,
    PRIMARY KEY (edge_id, day, via)
  ) WITHOUT ROWID;
  CREATE TABLE edge_environments (
    edge_id     INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    PRIMARY KEY (edge_id, day, environment)
  ) WITHOUT ROWID;
  CREATE TABLE edge_samples (
    edge_id  INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    trace_id TEXT    NOT NULL,
    time_ms  REAL,
    PRIMARY KEY (edge_id, day, trace_id)
  ) WITHOUT ROWID;

  CREATE TABLE services (
    name       TEXT    PRIMARY KEY,
    first_run  INTEGER NOT NULL REFERENCES runs (id),
    spans      INTEGER NOT NULL,
    entrypoint INTEGER NOT NULL CHECK (entrypoint IN (0, 1)),
    first_ms   REAL,
    last_ms    REAL
  );
  CREATE TABLE service_versions (
    service  TEXT NOT NULL REFERENCES services (name),
    version  TEXT NOT NULL,
    first_ms REAL,
    last_ms  REAL,
    PRIMARY KEY (service, version)
  ) WITHOUT ROWID;
  CREATE TABLE service_environments (
    service     TEXT NOT NULL REFERENCES services (name),
    environment TEXT NOT NULL,
    PRIMARY KEY (service, environment)
  ) WITHOUT ROWID;

  CREATE TABLE baseline (
    from_node   TEXT    NOT NULL,
    to_node     TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    impact      TEXT    NOT NULL CHECK (impact IN ('independent', 'coordinated', 'data-migration')),
    accepted_at TEXT    NOT NULL,
    run_id      INTEGER REFERENCES runs (id),
    note        TEXT,
    PRIMARY KEY (from_node, to_node, type)
  ) WITHOUT ROWID;
  `,

  // v2: the same history in a fraction of the space, and the whole of it in one row per edge.
  // - strings: every operation name, version, environment and queue once, referenced by id;
  // - edges.calls, .errors, .totals: the edge's totals over all of its history, kept at write
  //   time (totals: operations with calls and versions, queues, environments, the earliest sample
  //   traces; encoded by src/store/codec.ts), so reading the whole history reads no day rows;
  // - edge_days: per UTC day (days since 1970-01-01; -1000000 for calls without a span time) and
  //   edge, the counts, the day's shape and its detail: first and last span time, calls per
  //   operation and queue, the earliest sample traces (trace ids as 16 bytes); only `--since`
  //   reads them. Keyed by day first, so a night's rows append to the end of the table;
  // - shapes: an edge-day's operations with their versions, environments and queues, without
  //   counts; most days look like the one before, so days and edges share them. refs counts the
  //   edge_days rows using a shape; one that no row uses is deleted.
  {
    sql: `
    CREATE TABLE strings (
      id    INTEGER PRIMARY KEY,
      value TEXT    NOT NULL UNIQUE
    );
    CREATE TABLE shapes (
      id     INTEGER PRIMARY KEY,
      refs   INTEGER NOT NULL,
      detail BLOB    NOT NULL UNIQUE
    );
    ALTER TABLE edges ADD COLUMN calls  INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE edges ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE edges ADD COLUMN totals BLOB;
    ALTER TABLE edge_days RENAME TO v1_edge_days;
    CREATE TABLE edge_days (
      day     INTEGER NOT NULL,
      edge_id INTEGER NOT NULL REFERENCES edges (id),
      calls   INTEGER NOT NULL,
      errors  INTEGER NOT NULL,
      shape   INTEGER NOT NULL,
      detail  BLOB    NOT NULL,
      PRIMARY KEY (day, edge_id)
    ) WITHOUT ROWID;
    `,
    convert: 'v1-history',
    cleanup: `
    DROP TABLE v1_edge_days;
    DROP TABLE edge_operations;
    DROP TABLE edge_operation_versions;
    DROP TABLE edge_vias;
    DROP TABLE edge_environments;
    DROP TABLE edge_samples;
    `,
  },

  // v3: the edges into a node found without reading every edge: `impact` and `plan` load only
  // the part of the graph a rollback touches (the edges out of a node use the UNIQUE index).
  // Covering the edges' ends, it also counts the graph without reading the edges' totals.
  `
  CREATE INDEX edges_by_callee ON edges (to_node, to_kind, from_node, from_kind, type) WHERE totals IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
