/**
 * `nightly` killed with SIGKILL at random moments, again and again. After every kill the store
 * must pass `PRAGMA integrity_check`, hold no partial run (it is exactly the store before the
 * run, or exactly the store after a whole one: the same tables, runs, baseline and export), and
 * the next uninterrupted `nightly` of the same input must succeed and leave the store an
 * uninterrupted run leaves. The files a killed process leaves (`-wal` and `-shm`) are recovered
 * by the next process that opens the store, whichever command it is.
 *
 * The input is large enough that a run spends a good part of its time writing: the demo's day
 * one, copied with distinct trace ids and, in every copy but the first, distinct service names,
 * so each copy adds its own services and edges. Half the kill points are drawn over the whole
 * run, half over the part after the run's summary (when its writes begin).
 *
 * `ROLLGRAPH_KILL_LOOP=200 npx vitest run test/store/kill-loop.test.ts` runs 200 kills (the
 * default is 8, so the suite stays quick); `ROLLGRAPH_KILL_SEED=N` replays the kill points of a
 * failed loop (the seed is printed with every run).
 */
import Database from 'better-sqlite3';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { KIND, hexId, otlpDocument } from '../helpers/otlp.js';
import { copyStore, exportJson, isRunning } from '../helpers/store.js';

/** Distinct edges in the input (about 5 MB): a nightly run of it takes about 1 s on a 2-core machine, half of it after its reading. */
const EDGES = 5_000;
const ITERATIONS = Number(process.env['ROLLGRAPH_KILL_LOOP'] ?? 8);
const SEED = Number(process.env['ROLLGRAPH_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

type Row = Record<string, unknown>;

interface StoreState {
  readonly integrity: string;
  readonly tables: Record<string, number>;
  readonly runs: Row[];
  readonly inputs: Row[];
  readonly edges: Row[];
  readonly services: Row[];
  readonly baseline: Row[];
}

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly ms: number;
  /** When the run's summary (its first stderr output, written just before its writes) arrived. */
  readonly summaryMs: number | null;
}

const children = new Set<ChildProcess>();
let dir: string;
let pristine: string;
let big: string;
let before: StoreState;
let exportBefore: string;
let after: StoreState;
let exportAfter: string;
let uninterrupted: Outcome;

/**
 * `edges` distinct calls, one trace each: `caller-N` (200 of them) calls `callee-M` (100) with an
 * operation of its own, so every trace adds an edge, an operation name and a day row to write.
 */
function writeManyEdges(path: string, edges: number): void {
  const lines: string[] = [];
  for (let i = 0; i < edges; i++) {
    const trace = hexId(`k${i}`, 32);
    const callee = `callee-${Math.floor(i / 200) % 100}`;
    const operation = `GET /op-${i}`;
    lines.push(
      JSON.stringify(
        otlpDocument([
          { service: `caller-${i % 200}`, version: `1.${i % 7}.0`, spans: [{ trace, id: 'c', kind: KIND.client, name: operation, attrs: { 'http.request.method': 'GET', 'server.address': callee } }] },
          { service: callee, version: `2.${i % 5}.0`, spans: [{ trace, id: 's', parent: 'c', kind: KIND.server, name: operation, attrs: { 'http.request.method': 'GET', 'http.route': `/op-${i}` } }] },
        ]),
      ),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** A small seeded generator (mulberry32), so a failing loop can be replayed with its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function start(argv: string[], killAfterMs?: number): Promise<Outcome> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...argv], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  let summaryMs: number | null = null;
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    summaryMs ??= performance.now() - t0;
    stderr += s;
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => isRunning(child) && child.kill('SIGKILL'), killAfterMs);
  return new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stderr, ms: performance.now() - t0, summaryMs });
    });
  });
}

/** Everything a run writes, without its wall-clock times. */
function readState(path: string): StoreState {
  const conn = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const names = (conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]);
    const tables = Object.fromEntries(names.map((name) => [name, conn.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get() as number]));
    return {
      integrity: conn.pragma('integrity_check', { simple: true }) as string,
      tables,
      runs: conn.prepare('SELECT id, command, status, spans, traces, calls, rejected, warnings FROM runs ORDER BY id').all() as Row[],
      inputs: conn.prepare('SELECT run_id, name, sha256, bytes, spans, skipped FROM run_inputs ORDER BY run_id, name').all() as Row[],
      edges: conn.prepare('SELECT id, from_node, to_node, type, first_run, calls, errors, totals FROM edges ORDER BY id').all() as Row[],
      services: conn.prepare('SELECT name, first_run, spans, entrypoint, first_ms, last_ms FROM services ORDER BY name').all() as Row[],
      baseline: conn.prepare('SELECT from_node, to_node, type, impact, run_id, note FROM baseline ORDER BY from_node, to_node, type').all() as Row[],
    };
  } finally {
    conn.close();
  }
}

/** The store's graph as `export --format json` prints it (a few MB: more than spawnSync buffers by default). */


function sizeOf(path: string): number | null {
  return existsSync(path) ? statSync(path).size : null;
}

beforeAll(async () => {
  dir = tempDir('rollgraph-kill-loop-');
  pristine = join(dir, 'pristine.db');
  big = join(dir, 'many-edges.jsonl');
  writeManyEdges(big, EDGES);

  // A store with history and no baseline yet: the nightly run writes its calls and establishes the baseline.
  const setup = spawnCli(['--db', pristine, 'ingest', 'fixtures/demo/day1']);
  expect(setup.code, setup.stderr).toBe(0);
  expect(existsSync(`${pristine}-wal`), 'the last connection to close checkpoints the WAL away').toBe(false);
  before = readState(pristine);
  exportBefore = exportJson(pristine);
  expect(before.integrity).toBe('ok');
  expect(before.runs).toHaveLength(1);

  // Twice, timing the second: the first pays for a cold start.
  const calibration = join(dir, 'calibration.db');
  for (let i = 0; i < 2; i++) {
    copyStore(pristine, calibration);
    uninterrupted = await start(['--db', calibration, 'nightly', big, '--fail-on', 'none']);
  }
  expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
  expect(uninterrupted.summaryMs).not.toBeNull();
  after = readState(calibration);
  exportAfter = exportJson(calibration);
  expect(after.integrity).toBe('ok');
  expect(after.runs).toHaveLength(before.runs.length + 1);
  expect(after.edges.length, 'every trace adds its own edge').toBe(before.edges.length + EDGES);
  expect(exportAfter).not.toBe(exportBefore);
  expect(after.baseline, 'the run established the baseline').toHaveLength((JSON.parse(exportAfter) as { edges: unknown[] }).edges.length);
  console.log(
    `kill-loop: nightly of ${EDGES} edges took ${Math.round(uninterrupted.ms)} ms, its summary came at ${Math.round(uninterrupted.summaryMs!)} ms; ` +
      `${ITERATIONS} kills, seed ${SEED} (ROLLGRAPH_KILL_SEED=${SEED} replays them)`,
  );
}, 120_000);

afterEach(() => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
});

afterAll(() => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('nightly killed with SIGKILL at random moments', () => {
  it(
    'leaves the store whole before or after the run, and the next nightly recovers it to the uninterrupted result',
    async () => {
      const next = random(SEED);
      const total = uninterrupted.ms;
      const writesBegin = uninterrupted.summaryMs!;
      const db = join(dir, 'store.db');
      const log: string[] = [];
      let killedMidRun = 0;
      let killedInWrites = 0;
      let staleWal = 0;

      for (let i = 0; i < ITERATIONS; i++) {
        // Half over the whole run (and a little past it), half over its writes.
        const delay = Math.round(i % 2 === 0 ? next() * total * 1.05 : writesBegin + next() * (total - writesBegin));
        copyStore(pristine, db);
        const killed = await start(['--db', db, 'nightly', big, '--fail-on', 'none'], delay);
        const label = `kill ${i + 1} at ${delay} ms (seed ${SEED})`;
        const leftWal = sizeOf(`${db}-wal`);
        const leftShm = sizeOf(`${db}-shm`);

        // The first process to open the store after the kill is rollgraph, reading it.
        const exported = exportJson(db);
        const state = readState(db);
        expect(state.integrity, label).toBe('ok');
        const wasKilled = killed.signal === 'SIGKILL';
        if (!wasKilled) expect(killed.code, `${label}: ${killed.stderr}`).toBe(0);

        let landed: boolean;
        if (state.runs.length === before.runs.length) {
          landed = false;
          expect(wasKilled, `${label}: a run that was not killed landed`).toBe(true);
          expect(state, `${label}: nothing of the killed run shows`).toEqual(before);
          expect(exported === exportBefore, `${label}: the export is the one before the run`).toBe(true);
          killedMidRun++;
          if (killed.summaryMs !== null) killedInWrites++;
          if (leftWal !== null && leftShm !== null) staleWal++;
        } else {
          landed = true;
          expect(state, `${label}: the run shows whole`).toEqual(after);
          expect(exported === exportAfter, `${label}: the export is the whole run's`).toBe(true);
        }

        // The next nightly of the same input succeeds and leaves the uninterrupted run's store.
        const again = await start(['--db', db, 'nightly', big, '--fail-on', 'none']);
        expect(again.code, `${label}, then again: ${again.stderr}`).toBe(0);
        expect(existsSync(`${db}-wal`), `${label}: the run's clean close checkpoints the WAL away`).toBe(false);
        const recovered = readState(db);
        expect(recovered.integrity, label).toBe('ok');
        if (landed) {
          // The input is already held: the second run is recorded as skipped and changes nothing else.
          expect(again.stderr, label).toContain('the store already holds this content');
          expect({ ...recovered, runs: recovered.runs.slice(0, -1), inputs: recovered.inputs.slice(0, after.inputs.length), tables: {} }, label).toEqual({
            ...after,
            tables: {},
          });
          expect(recovered.runs.at(-1), label).toMatchObject({ status: 'skipped', spans: 0 });
        } else {
          expect(again.stderr, label).not.toContain('already holds');
          expect(recovered, `${label}, then again`).toEqual(after);
        }
        expect(exportJson(db) === exportAfter, `${label}, then again: the uninterrupted run's export`).toBe(true);

        log.push(
          `${label}: ${wasKilled ? 'killed' : `exited ${killed.code}`} at ${Math.round(killed.ms)} ms, ${landed ? 'after the commit (run whole)' : killed.summaryMs !== null ? 'during its writes' : 'while reading'}` +
            `; left -wal ${leftWal ?? 'none'} B, -shm ${leftShm ?? 'none'} B`,
        );
      }
      console.log(`kill-loop: ${killedMidRun} of ${ITERATIONS} killed mid-run (${killedInWrites} during writes), ${staleWal} left -wal and -shm\n  ${log.join('\n  ')}`);
      expect(killedMidRun, log.join('\n')).toBeGreaterThan(0);
    },
    Math.max(120_000, ITERATIONS * 30_000),
  );

  it('a store a killed process left with its -wal and -shm, moved elsewhere, is recovered by read-only and writing commands alike', async () => {
    const source = join(dir, 'killed.db');
    copyStore(pristine, source);
    // Killed as its writes begin: it holds the write lock, with -wal and -shm beside the store.
    const killed = await new Promise<Outcome>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [BIN, '--db', source, 'nightly', big], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(child);
      let summaryMs: number | null = null;
      child.stderr!.on('data', () => {
        if (summaryMs !== null) return;
        summaryMs = performance.now() - t0;
        // Let its writes run a little before the kill.
        setTimeout(() => child.kill('SIGKILL'), (uninterrupted.ms - uninterrupted.summaryMs!) / 3);
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        children.delete(child);
        resolve({ code, signal, stderr: '', ms: performance.now() - t0, summaryMs });
      });
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(`${source}-wal`), 'the killed run left its WAL').toBe(true);
    expect(existsSync(`${source}-shm`), 'and its shared-memory index').toBe(true);

    // The three files as the killed process left them, in a new place, as a restored CI cache would hold them.
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    const db = join(moved, 'rollgraph.db');
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(source + suffix, db + suffix);

    expect(exportJson(db) === exportBefore, 'export reads the store as the last commit left it').toBe(true);
    expect(readState(db)).toEqual(before);
    const run = await start(['--db', db, 'nightly', big, '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(`${db}-wal`), 'its clean close checkpoints the WAL away').toBe(false);
    expect(readState(db)).toEqual(after);
    expect(exportJson(db) === exportAfter).toBe(true);
  }, 120_000);

  it('a WAL holding a killed writer\'s uncommitted pages is rolled back, and one holding its committed pages is kept', async () => {
    // A writer that spills an open transaction's pages into the WAL (a tiny page cache), or commits
    // without checkpointing, then dies by SIGKILL: the two states a kill can leave in the WAL.
    const killedWriter = (path: string, commit: boolean) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import Database from 'better-sqlite3';
           const db = new Database(process.argv[1]);
           db.pragma('cache_size = 1');
           db.pragma('wal_autocheckpoint = 0');
           db.exec('BEGIN IMMEDIATE');
           const run = db.prepare("INSERT INTO runs (command, started_at, finished_at, status, spans, traces, calls, rejected, warnings) VALUES ('ingest', 'x', 'x', 'ok', 1, 1, 1, 0, '[]')").run().lastInsertRowid;
           const input = db.prepare('INSERT INTO run_inputs (run_id, name, sha256, bytes, spans, skipped) VALUES (?, ?, ?, 0, 0, 0)');
           for (let i = 0; i < 5000; i++) input.run(run, 'spilled-' + i + '-'.repeat(200), String(i));
           if (${commit}) db.exec('COMMIT');
           process.kill(process.pid, 'SIGKILL');`,
          path,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );

    const uncommitted = join(dir, 'uncommitted.db');
    copyStore(pristine, uncommitted);
    expect(killedWriter(uncommitted, false).signal).toBe('SIGKILL');
    expect(sizeOf(`${uncommitted}-wal`), 'the open transaction spilled into the WAL').toBeGreaterThan(100_000);
    expect(exportJson(uncommitted) === exportBefore, 'export ignores the uncommitted pages').toBe(true);
    const run = await start(['--db', uncommitted, 'nightly', big, '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(`${uncommitted}-wal`)).toBe(false);
    expect(readState(uncommitted)).toEqual(after);

    const committed = join(dir, 'committed.db');
    copyStore(pristine, committed);
    expect(killedWriter(committed, true).signal).toBe('SIGKILL');
    expect(sizeOf(`${committed}-wal`), 'the commit is in the WAL only').toBeGreaterThan(100_000);
    // rollgraph opens the store, finds its input held by no run, lands, and checkpoints the WAL into the store.
    const next = await start(['--db', committed, 'ingest', 'fixtures/demo/day2']);
    expect(next.code, next.stderr).toBe(0);
    expect(existsSync(`${committed}-wal`)).toBe(false);
    const state = readState(committed);
    expect(state.integrity).toBe('ok');
    expect(state.runs.map((r) => r.command)).toEqual(['ingest', 'ingest', 'ingest']);
    expect(state.inputs.filter((i) => String(i.name).startsWith('spilled-')), 'the committed rows survived').toHaveLength(5000);
  }, 120_000);
});
