/**
 * Two runs at once on one store: the second waits for the first's write lock up to --wait, then
 * either gives up cleanly (exit 2, "the store is busy", the store holding the first run only) or,
 * given long enough, lands after the first commits. Either way the store stays intact.
 */
import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeBigInput } from '../helpers/big-input.js';
import { BIN, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { isRunning, writeLockHeld } from '../helpers/store.js';

/** About 84 MB: an ingest takes 1.3-2 s on a 2-core machine. */
const COPIES = 100;

type Row = Record<string, unknown>;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** When the process exited, on the performance.now() clock. */
  readonly exitedAt: number;
  readonly ms: number;
}

const children = new Set<ChildProcess>();
let dir: string;
let pristine: string;
let big: string;
let setupRuns: Row[];

function start(argv: string[], stdin: 'ignore' | 'pipe' = 'ignore'): { child: ChildProcess; done: Promise<Outcome> } {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...argv], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: [stdin, 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // A child killed while we still write its stdin must not fail the test with EPIPE.
  child.stdin?.on('error', () => {});
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      const exitedAt = performance.now();
      resolve({ code, signal, stdout, stderr, exitedAt, ms: exitedAt - t0 });
    });
  });
  return { child, done };
}

/** Resolves once `child` holds the store's write lock; fails if it exits first or takes over 20 s. */
async function untilLockHeld(child: ChildProcess, path: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!writeLockHeld(path)) {
    if (!isRunning(child)) throw new Error('the first run exited before it took the write lock');
    if (performance.now() > deadline) throw new Error('the first run did not take the write lock within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(isRunning(child), 'the lock holder is the first run').toBe(true);
}

function readStore(path: string) {
  const conn = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: conn.pragma('integrity_check', { simple: true }) as string,
      runs: conn.prepare('SELECT id, command, status, spans, traces, calls FROM runs ORDER BY id').all() as Row[],
      inputs: conn.prepare('SELECT run_id, name FROM run_inputs ORDER BY run_id, name').all() as { run_id: number; name: string }[],
      baseline: (conn.prepare('SELECT count(*) AS n FROM baseline').get() as { n: number }).n,
      callsInEdges: (conn.prepare('SELECT COALESCE(SUM(calls), 0) AS n FROM edge_days').get() as { n: number }).n,
      callsInRuns: (conn.prepare('SELECT COALESCE(SUM(calls), 0) AS n FROM runs').get() as { n: number }).n,
    };
  } finally {
    conn.close();
  }
}

function freshStore(name: string): string {
  const db = join(dir, name);
  copyFileSync(pristine, db);
  return db;
}

beforeAll(() => {
  dir = tempDir('rollgraph-concurrency-');
  big = join(dir, 'big.jsonl');
  writeBigInput(big, COPIES);
  pristine = join(dir, 'pristine.db');
  const setup = spawnCli(['--db', pristine, 'ingest', 'fixtures/demo/day1']);
  expect(setup.code, setup.stderr).toBe(0);
  setupRuns = readStore(pristine).runs;
  expect(setupRuns).toHaveLength(1);
}, 60_000);

afterEach(() => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
});

afterAll(() => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('two runs at once on one store', () => {
  it('the second gives up after --wait with "the store is busy"; the first lands alone', async () => {
    const db = freshStore('busy.db');
    // The first run reads the big export from stdin, so it holds the write lock for as long as
    // the test keeps stdin open: the second run's 1 s wait cannot outlast it however slow the machine.
    const data = readFileSync(big);
    const half = data.indexOf(10, data.length >> 1) + 1;
    const first = start(['--db', db, 'ingest', '-'], 'pipe');
    first.child.stdin!.write(data.subarray(0, half));
    await untilLockHeld(first.child, db);

    const second = await start(['--db', db, '--wait', '1s', 'nightly', 'fixtures/demo/day2']).done;
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toContain('the store is busy');
    expect(second.stderr).toContain('waited 1 s');
    expect(second.stderr).not.toMatch(/^\s+at /m);
    expect(second.stderr).not.toMatch(/Error\b/);
    expect(second.ms, 'it waited --wait before giving up').toBeGreaterThanOrEqual(1000);
    expect(second.ms, 'and gave up soon after').toBeLessThan(8000);
    expect(isRunning(first.child), 'the first run still holds the store').toBe(true);

    first.child.stdin!.end(data.subarray(half));
    const firstDone = await first.done;
    expect(firstDone.code, firstDone.stderr).toBe(0);

    const store = readStore(db);
    expect(store.integrity).toBe('ok');
    expect(store.runs).toHaveLength(setupRuns.length + 1);
    expect(store.runs.slice(0, setupRuns.length)).toEqual(setupRuns);
    expect(store.runs.at(-1)).toMatchObject({ command: 'ingest', status: 'ok', spans: 1053 * COPIES });
    expect(store.inputs.filter((i) => i.name.includes('day2'))).toEqual([]);
    expect(store.inputs.filter((i) => i.run_id === store.runs.at(-1)!.id).map((i) => i.name)).toEqual(['-']);
    expect(store.baseline, 'the nightly run that gave up established no baseline').toBe(0);
    expect(store.callsInEdges).toBe(store.callsInRuns);
  }, 60_000);

  it('given long enough, the second waits for the first to commit and then lands too', async () => {
    const db = freshStore('wait.db');
    const first = start(['--db', db, 'ingest', big]);
    await untilLockHeld(first.child, db);

    const second = start(['--db', db, '--wait', '60s', 'nightly', 'fixtures/demo/day2']);
    const [firstDone, secondDone] = await Promise.all([first.done, second.done]);
    expect(firstDone.code, firstDone.stderr).toBe(0);
    expect(secondDone.code, secondDone.stderr).toBe(0);
    expect(secondDone.stderr).not.toContain('busy');
    expect(secondDone.exitedAt, 'the second run finished after the first').toBeGreaterThan(firstDone.exitedAt);

    const store = readStore(db);
    expect(store.integrity).toBe('ok');
    expect(store.runs).toHaveLength(setupRuns.length + 2);
    expect(store.runs.slice(0, setupRuns.length)).toEqual(setupRuns);
    // The runs landed in lock order: the big ingest, then the nightly that waited for it.
    const [ingestRun, nightlyRun] = store.runs.slice(setupRuns.length);
    expect(ingestRun).toMatchObject({ command: 'ingest', status: 'ok', spans: 1053 * COPIES });
    expect(nightlyRun).toMatchObject({ command: 'nightly', status: 'ok' });
    expect(store.inputs.filter((i) => i.run_id === ingestRun!.id).map((i) => i.name)).toEqual([big]);
    expect(store.inputs.filter((i) => i.run_id === nightlyRun!.id).map((i) => i.name)).toEqual([expect.stringMatching(/day2\/traces\.jsonl$/)]);
    expect(store.baseline, 'the nightly run established the baseline').toBeGreaterThan(0);
    expect(store.callsInEdges).toBe(store.callsInRuns);
  }, 60_000);
});
