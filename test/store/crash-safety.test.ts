/**
 * A run killed with SIGKILL at any point leaves the store exactly as the last committed run left
 * it: integrity intact, no partial run, no partial calls, the same export byte for byte. The
 * ingest of a large export is killed at points spread across its read and at the moment its
 * writes begin; a kill that lands after the commit must show the run whole instead.
 */
import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeBigInput } from '../helpers/big-input.js';
import { BIN, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { copyStore, exportJson, isRunning, writeLockHeld } from '../helpers/store.js';

/** About 84 MB: an ingest takes 1.3-2 s on a 2-core machine, most of it reading. */
const COPIES = 100;
/** Kill points, as fractions of the calibrated time until the run starts writing. */
const FRACTIONS = [0.01, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9];
/** Kills triggered by the run's summary on stderr, written inside the transaction just before its writes. */
const WRITE_PHASE_KILLS = 2;

type Row = Record<string, unknown>;

interface StoreState {
  readonly integrity: string;
  readonly runs: Row[];
  readonly inputs: Row[];
  readonly edges: Row[];
  readonly tables: Record<string, number>;
  readonly callsInEdges: number;
  readonly callsInRuns: number;
}

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** When the summary (the first stderr output) arrived, from the start. */
  readonly summaryMs: number | null;
}

const children = new Set<ChildProcess>();
let dir: string;
let db: string;
let pristine: string;
let big: string;
let bigSha: string;
let before: StoreState;
let exportBefore: string;
let after: StoreState;
let exportAfter: string;
let readMs: number;

function start(argv: string[], onStderr?: (child: ChildProcess) => void): { child: ChildProcess; done: Promise<Outcome> } {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...argv], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let summaryMs: number | null = null;
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    if (summaryMs === null) {
      summaryMs = performance.now() - t0;
      onStderr?.(child);
    }
    stderr += s;
  });
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, summaryMs });
    });
  });
  return { child, done };
}

function readState(path: string): StoreState {
  const conn = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = Object.fromEntries(
      (conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map(({ name }) => [
        name,
        (conn.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n,
      ]),
    );
    return {
      integrity: conn.pragma('integrity_check', { simple: true }) as string,
      runs: conn.prepare('SELECT id, command, status, spans, traces, calls, rejected, warnings FROM runs ORDER BY id').all() as Row[],
      inputs: conn.prepare('SELECT run_id, name, sha256, bytes, spans, skipped FROM run_inputs ORDER BY run_id, name').all() as Row[],
      edges: conn
        .prepare(
          `SELECT e.id, e.from_node, e.to_node, e.type, e.first_run, e.first_ms, e.last_ms,
                  SUM(d.calls) AS calls, SUM(d.errors) AS errors, count(d.day) AS days
           FROM edges e LEFT JOIN edge_days d ON d.edge_id = e.id GROUP BY e.id ORDER BY e.id`,
        )
        .all() as Row[],
      tables,
      callsInEdges: (conn.prepare('SELECT COALESCE(SUM(calls), 0) AS n FROM edge_days').get() as { n: number }).n,
      callsInRuns: (conn.prepare('SELECT COALESCE(SUM(calls), 0) AS n FROM runs').get() as { n: number }).n,
    };
  } finally {
    conn.close();
  }
}



beforeAll(() => {
  dir = tempDir('rollgraph-crash-');
  db = join(dir, 'store.db');
  pristine = join(dir, 'pristine.db');
  big = join(dir, 'big.jsonl');
  writeBigInput(big, COPIES);
  bigSha = createHash('sha256').update(readFileSync(big)).digest('hex');

  const setup = spawnCli(['--db', db, 'ingest', 'fixtures/demo/day1']);
  expect(setup.code, setup.stderr).toBe(0);
  expect(existsSync(`${db}-wal`), 'the last connection to close checkpoints the WAL away').toBe(false);
  copyFileSync(db, pristine);
  before = readState(db);
  exportBefore = exportJson(db);
  expect(before.integrity).toBe('ok');
  expect(before.runs).toHaveLength(1);
  expect(before.edges.length).toBeGreaterThan(0);
  expect(before.callsInEdges).toBe(before.callsInRuns);
}, 60_000);

afterEach(() => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
});

afterAll(() => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('a run killed with SIGKILL', () => {
  it('calibration: the big ingest, uninterrupted on a copy of the store, lands as one run', async () => {
    const calibration = join(dir, 'calibration.db');
    copyFileSync(pristine, calibration);
    const run = await start(['--db', calibration, 'ingest', big]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.summaryMs).not.toBeNull();
    readMs = run.summaryMs!;
    after = readState(calibration);
    exportAfter = exportJson(calibration);
    expect(after.integrity).toBe('ok');
    expect(after.runs).toHaveLength(before.runs.length + 1);
    expect(after.inputs.filter((i) => i.sha256 === bigSha)).toHaveLength(1);
    expect(after.callsInEdges).toBe(after.callsInRuns);
    expect(after.callsInEdges).toBeGreaterThan(before.callsInEdges);
    expect(exportAfter).not.toBe(exportBefore);
    console.log(`crash-safety: ingest of ${COPIES} copies (${(COPIES * 0.84).toFixed(0)} MB) took ${Math.round(run.ms)} ms, writes began at ${Math.round(readMs)} ms`);
  }, 60_000);

  it('leaves the store as the last committed run left it, wherever it lands', async () => {
    expect(readMs, 'the calibration ran').toBeGreaterThan(0);
    const killPoints: ({ afterMs: number } | { onSummary: true })[] = [
      ...FRACTIONS.map((f) => ({ afterMs: Math.round(f * readMs) })),
      ...Array.from({ length: WRITE_PHASE_KILLS }, () => ({ onSummary: true as const })),
    ];
    const log: string[] = [];
    let killedHoldingLock = 0;
    let killedInWrites = 0;
    let completed = 0;

    for (const point of killPoints) {
      const probe: { heldLock: boolean | null } = { heldLock: null };
      const run =
        'afterMs' in point
          ? (() => {
              const r = start(['--db', db, 'ingest', big]);
              const timer = setTimeout(() => {
                if (!isRunning(r.child)) return;
                probe.heldLock = writeLockHeld(db);
                r.child.kill('SIGKILL');
              }, point.afterMs);
              void r.done.then(() => clearTimeout(timer));
              return r;
            })()
          : start(['--db', db, 'ingest', big], (child) => {
              probe.heldLock = true; // the summary is written inside the transaction
              child.kill('SIGKILL');
            });
      const outcome = await run.done;
      const state = readState(db);
      const label = 'afterMs' in point ? `kill at ${point.afterMs} ms` : 'kill on summary';
      expect(state.integrity, label).toBe('ok');

      if (state.runs.length === before.runs.length) {
        // Killed before the commit: nothing of the run may show.
        expect(outcome.signal, `${label}: ${outcome.stderr}`).toBe('SIGKILL');
        expect(state, label).toEqual(before);
        expect(state.inputs.some((i) => i.sha256 === bigSha), label).toBe(false);
        expect(exportJson(db) === exportBefore, `${label}: export unchanged`).toBe(true);
        if (probe.heldLock === true) killedHoldingLock++;
        if ('onSummary' in point) killedInWrites++;
        log.push(`${label}: killed mid-run${probe.heldLock ? ' (holding the write lock)' : ' (before taking the lock)'} at ${Math.round(outcome.ms)} ms`);
      } else {
        // The kill landed after the commit: the run must be whole.
        expect(outcome.code === 0 || outcome.signal === 'SIGKILL', `${label}: ${outcome.stderr}`).toBe(true);
        expect(state, label).toEqual(after);
        expect(state.inputs.filter((i) => i.sha256 === bigSha), label).toHaveLength(1);
        expect(exportJson(db) === exportAfter, `${label}: export is the whole run's`).toBe(true);
        completed++;
        log.push(`${label}: completed (${outcome.signal ?? `exit ${outcome.code}`}) at ${Math.round(outcome.ms)} ms`);
        copyStore(pristine, db);
      }
    }
    console.log(
      `crash-safety: ${killedHoldingLock} of ${killPoints.length} killed mid-run holding the lock (${killedInWrites} as the writes began), ${completed} completed\n  ${log.join('\n  ')}`,
    );
    expect(killedHoldingLock, log.join('\n')).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('and a later uninterrupted run of the same input lands whole, as one run', async () => {
    expect(readState(db)).toEqual(before);
    const run = await start(['--db', db, 'ingest', big]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/skipped/);
    const state = readState(db);
    expect(state.integrity).toBe('ok');
    expect(state.runs).toHaveLength(before.runs.length + 1);
    expect(state).toEqual(after);
    expect(exportJson(db) === exportAfter).toBe(true);
  }, 60_000);
});
