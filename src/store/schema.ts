/**
 * The store's schema, one forward migration per version (`PRAGMA user_version`). A migration is
 * applied in the same transaction as the version bump, so a store is always at one version.
 * Never edit a released migration: add the next one, and a fixture store of the old version
 * (fixtures/stores/) so the test migrates it.
 */

export const MIGRATIONS: readonly string[] = [
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;
