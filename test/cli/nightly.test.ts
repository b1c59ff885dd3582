import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const DAY1 = join(ROOT, 'fixtures/demo/day1');
const DAY2 = join(ROOT, 'fixtures/demo/day2');

function freshStore(): { dir: string; db: string; cli: (args: string[]) => ReturnType<typeof runCli> } {
  const dir = tempDir();
  const db = join(dir, 'rollgraph.db');
  return { dir, db, cli: (args) => runCli(['--db', db, ...args], { cwd: dir }) };
}

describe('rollgraph nightly: the two-day scenario', () => {
  it('day one establishes the baseline, day two flags exactly the new edges and the impact change, accept clears them', async () => {
    const { dir, cli } = freshStore();
    const day1 = await cli(['nightly', DAY1, '--json']);
    expect(day1.code).toBe(0);
    const first = JSON.parse(day1.stdout);
    expect(first).toMatchObject({ baseline: 'established', run: { id: 1, spans: 1269, edges: 16 }, newEdges: [], goneEdges: [], impactChanges: [] });
    expect(day1.stderr).toContain('baseline established with 16 edges');

    const day2 = await cli(['nightly', DAY2, '--json', '--report', 'nightly.md']);
    expect(day2.code).toBe(1);
    const second = JSON.parse(day2.stdout);
    expect(Object.keys(second).slice(0, 5)).toEqual(['baseline', 'run', 'newEdges', 'goneEdges', 'impactChanges']);
    expect(second.baseline).toBe('compared');
    expect(second.newEdges.map((e: { from: string; to: string }) => `${e.from}->${e.to}`)).toEqual(['checkout->fraud-check', 'fraud-check->postgresql:fraud']);
    expect(second.newEdges[0]).toMatchObject({ impact: 'coordinated', introducedBy: '2.6.0', firstSeen: '2026-11-29T10:58:43.000Z'.slice(0, 19) + second.newEdges[0].firstSeen.slice(19) });
    expect(second.impactChanges).toEqual([
      {
        from: 'catalog',
        to: 'postgresql:catalog',
        type: 'database',
        was: 'independent',
        now: 'data-migration',
        reason: expect.stringContaining('catalog writes to postgresql:catalog (UPDATE x61)'),
      },
    ]);
    expect(second.goneEdges).toEqual([]);
    const report = readFileSync(join(dir, 'nightly.md'), 'utf8');
    expect(report).toContain('2 new edges, 1 impact change');
    expect(report).toContain('```mermaid');
    expect(report).toContain('2.6.0');

    const accepted = await cli(['accept', '--all', '--note', 'reviewed']);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain('accepted 18 edges');
    const again = await cli(['nightly', DAY2]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('skipped ');
    expect(again.stderr).toContain('nothing new');
  });

  it('--fail-on chooses what exits 1', async () => {
    const { cli } = freshStore();
    await cli(['nightly', DAY1]);
    expect((await cli(['nightly', DAY2, '--fail-on', 'none'])).code).toBe(0);
    expect((await cli(['nightly', DAY2, '--fail-on', 'new-edges'])).code).toBe(1);
    expect((await cli(['nightly', DAY2, '--fail-on', 'impact-change'])).code).toBe(1);
    await cli(['accept', 'checkout->fraud-check', 'fraud-check->postgresql:fraud']);
    expect((await cli(['nightly', DAY2, '--fail-on', 'new-edges'])).code).toBe(0);
    expect((await cli(['nightly', DAY2, '--fail-on', 'impact-change'])).code).toBe(1);
    await cli(['accept', 'catalog->postgresql:catalog', '--note', 'view counter, compensated by TRUNCATE']);
    expect((await cli(['nightly', DAY2])).code).toBe(0);
  });

  it('reports baseline edges unseen for the stale period as gone, counted from the newest span, not the clock', async () => {
    const { cli } = freshStore();
    await cli(['nightly', join(ROOT, 'fixtures/scenarios/queue/day1.jsonl')]);
    const later = await cli(['nightly', DAY1, '--stale-after', '7d', '--json', '--fail-on', 'none']);
    const view = JSON.parse(later.stdout);
    // The queue scenario ran on 2026-12-07, after the demo's 2026-11-28: nothing of it is stale.
    expect(view.goneEdges).toEqual([]);
    const { cli: cli2 } = freshStore();
    await cli2(['nightly', DAY1]);
    const next = await cli2(['nightly', join(ROOT, 'fixtures/scenarios/queue/day1.jsonl'), '--stale-after', '7d', '--json', '--fail-on', 'none']);
    const gone = JSON.parse(next.stdout).goneEdges.map((e: { from: string; to: string }) => `${e.from}->${e.to}`);
    expect(gone).toContain('checkout->inventory');
    expect(gone).toHaveLength(16);
    const longer = await cli2(['nightly', DAY1, '--stale-after', '30d', '--json', '--fail-on', 'none']);
    expect(JSON.parse(longer.stdout).goneEdges).toEqual([]);
  });
});

describe('the store', () => {
  it('ingest summarises a run as export summarises the same files, self-calls included', async () => {
    // Zipkin's loopback scenario: frontend calls itself through a name that resolves to frontend.
    const input = join(ROOT, 'fixtures/real/zipkin-itdependencies/dependencies_loopback.otlp.json');
    const exported = await runCli(['export', '--format', 'json', '--input', input]);
    const ingested = await runCli(['--db', join(tempDir(), 'r.db'), 'ingest', input]);
    expect(exported.stderr).toContain('1 self-call');
    const summary = (r: { stderr: string }) => r.stderr.split('\n').slice(0, 2).join('\n');
    expect(summary(ingested)).toBe(summary(exported));
  });

  it('gives the same graph from its history as from the same files at once', async () => {
    const { cli } = freshStore();
    await cli(['ingest', DAY1]);
    await cli(['ingest', DAY2]);
    const fromStore = await cli(['export', '--format', 'json']);
    const fromFiles = await runCli(['export', '--format', 'json', '--input', DAY1, DAY2]);
    expect(fromStore.code).toBe(0);
    expect(fromStore.stdout).toBe(fromFiles.stdout);
    expect(fromStore.stderr).toMatch(/^read the store .*rollgraph\.db \(all of its history, newest span 2026-11-29T23:22:15\.880Z\): 9 services, 18 edges\n$/);
  });

  it('skips content it already holds, so a re-run changes nothing', async () => {
    const { db, cli } = freshStore();
    await cli(['ingest', DAY1]);
    const before = (await cli(['export', '--format', 'json'])).stdout;
    const again = await cli(['ingest', DAY1, '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/skipped .*traces\.jsonl: the store already holds this content \(run 1/);
    expect((await cli(['export', '--format', 'json'])).stdout).toBe(before);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare('SELECT status, spans FROM runs ORDER BY id').all()).toEqual([
      { status: 'ok', spans: 1269 },
      { status: 'skipped', spans: 0 },
    ]);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    sqlite.close();
  });

  it('skips content piped on stdin that it already holds, once read', async () => {
    const day = readFileSync(join(DAY2, 'traces.jsonl'));
    const pipe = (args: string[]) => runCli(args, { stdin: day });
    const path = join(tempDir(), 'rollgraph.db');
    const once = await pipe(['--db', path, 'ingest', '-']);
    expect(once.code).toBe(0);
    const before = (await runCli(['--db', path, 'export', '--format', 'json'])).stdout;
    const twice = await pipe(['--db', path, 'ingest', '-']);
    expect(twice.code).toBe(0);
    expect(twice.stderr).toContain('skipped -: the store already holds this content (run 1');
    expect((await runCli(['--db', path, 'export', '--format', 'json'])).stdout).toBe(before);
    const mixed = await pipe(['--db', path, 'ingest', '-', DAY1]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('stdin holds content the store already has (run 1)');
  });

  it('leaves the store exactly as it was when a run fails', async () => {
    const { dir, db, cli } = freshStore();
    await cli(['ingest', DAY1]);
    const before = readFileSync(db);
    writeFileSync(join(dir, 'logs.jsonl'), '{"resourceLogs":[]}\n');
    const failed = await cli(['nightly', DAY2, join(dir, 'logs.jsonl')]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('nothing usable in ');
    expect(failed.stderr).toContain('the store is unchanged');
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    expect(sqlite.prepare('SELECT count(*) AS n FROM baseline').get()).toEqual({ n: 0 });
    sqlite.close();
    expect(before.length).toBeGreaterThan(0);
  });

  it('export, impact and plan read it by default; --since narrows the history', async () => {
    const { cli } = freshStore();
    await cli(['nightly', DAY1]);
    await cli(['nightly', DAY2]);
    const plan = await cli(['plan', 'inventory', '--json']);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).revertSet).toEqual(['checkout', 'inventory']);
    const impact = await cli(['impact', 'inventory', '--json']);
    expect(JSON.parse(impact.stdout).mustRevertWith).toEqual(['checkout']);
    // The last day alone: inventory ran only 1.9.0 that day, so the evidence of 1.8.2 is outside the window.
    const recent = await cli(['impact', 'inventory', '--since', '12h', '--json']);
    expect(recent.stderr).toContain('history since 2026-11-29');
    expect(JSON.parse(recent.stdout)).toMatchObject({ fromVersion: '1.9.0', toVersion: null });
  });

  it('says clearly when there is no store, and refuses files that are not one', async () => {
    const { dir, db, cli } = freshStore();
    const none = await cli(['export']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`rollgraph: no store at ${db}: run \`rollgraph nightly\` or \`rollgraph ingest\` first, or read trace files with --input\n`);
    expect(existsSync(db)).toBe(false);
    const accept = await cli(['accept', 'a->b']);
    expect(accept.code).toBe(2);
    expect(accept.stderr).toContain('no store at ');
    expect(existsSync(db)).toBe(false);
    writeFileSync(join(dir, 'notes.db'), 'not a database at all, just text that is long enough to be a header.....');
    const garbage = await runCli(['--db', join(dir, 'notes.db'), 'export'], { cwd: dir });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^rollgraph: .*notes\.db is not a rollgraph store/);
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    const foreign = await runCli(['--db', join(dir, 'other.db'), 'ingest', DAY1], { cwd: dir });
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('other.db is an SQLite database, but not a rollgraph store');
    const env = await runCli(['export', '--format', 'json'], { cwd: dir, env: { ROLLGRAPH_DB: join(dir, 'nope.db') } });
    expect(env.stderr).toContain('no store at ');
    expect(env.stderr).toContain('nope.db');
  });

  it('refuses a store from a newer rollgraph', async () => {
    const { db, cli } = freshStore();
    await cli(['ingest', DAY1]);
    const sqlite = new Database(db);
    sqlite.pragma('user_version = 99');
    sqlite.close();
    const r = await cli(['export']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`has schema version 99, newer than this rollgraph supports (${SCHEMA_VERSION}): upgrade rollgraph`);
  });

  it('migrates a store written by every earlier schema version (fixtures/stores)', async () => {
    // Each fixture holds the demo's day one (fixtures/stores/README.md): migrated, it gives the
    // same graph as the files.
    const fromFiles = await runCli(['export', '--format', 'json', '--input', DAY1]);
    expect(fromFiles.code).toBe(0);
    const dir = tempDir();
    for (let version = 1; version <= SCHEMA_VERSION; version++) {
      const db = join(dir, `v${version}.db`);
      copyFileSync(join(ROOT, `fixtures/stores/v${version}.db`), db);
      const r = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, `the graph of fixtures/stores/v${version}.db`).toBe(fromFiles.stdout);
      expect(JSON.parse(r.stdout).edges).toHaveLength(16);
      const sqlite = new Database(db, { readonly: true });
      expect(sqlite.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(sqlite.prepare(`SELECT name FROM sqlite_master WHERE name = 'edges_by_callee'`).all()).toHaveLength(1); // v3's index
      sqlite.close();
      // The backup before migrating is the store as it was.
      const backup = `${db}.v${version}.bak`;
      expect(existsSync(backup), backup).toBe(version < SCHEMA_VERSION);
      if (version < SCHEMA_VERSION) {
        const old = new Database(backup, { readonly: true });
        expect(old.pragma('user_version', { simple: true })).toBe(version);
        old.close();
      }
      // The history since a day, too: the demo's day one is 2026-11-28.
      const since = await runCli(['--db', db, 'export', '--format', 'json', '--since', '1d'], { cwd: dir });
      expect(since.code, since.stderr).toBe(0);
      expect(since.stderr).toContain('history since 2026-11-27');
      expect(since.stdout).toBe(fromFiles.stdout);
    }
  });
});

describe('migrating an older store', () => {
  /** Everything a store holds: its schema version, its schema and every row of every table, in order. */
  function dump(path: string): { version: number; schema: string[]; rows: Record<string, string[]> } {
    const sqlite = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const schema = sqlite.prepare(`SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`).pluck().all() as string[];
      const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
      const rows = Object.fromEntries(
        tables.map((table) => [
          table,
          (sqlite.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).raw().all() as unknown[][])
            .map((row) => JSON.stringify(row.map((value) => (Buffer.isBuffer(value) ? value.toString('hex') : value))))
            .sort(),
        ]),
      );
      return { version: sqlite.pragma('user_version', { simple: true }) as number, schema, rows };
    } finally {
      sqlite.close();
    }
  }

  it('backs up each earlier version before changing anything: the backup holds exactly the store as it was', async () => {
    const dir = tempDir();
    for (let version = 1; version < SCHEMA_VERSION; version++) {
      const db = join(dir, `v${version}.db`);
      copyFileSync(join(ROOT, `fixtures/stores/v${version}.db`), db);
      const original = dump(db);
      expect(original.version).toBe(version);
      const r = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(dump(`${db}.v${version}.bak`), `the backup of fixtures/stores/v${version}.db`).toEqual(original);
    }
  });

  it('a migration that fails midway leaves the store as it was and the backup equal to it; once the cause is gone, it migrates', async () => {
    // No seam needed: a table named like the index the last migration creates (schema 3's
    // edges_by_callee) makes that step fail after every earlier step of a schema 1 store ran.
    const dir = tempDir();
    for (let version = 1; version < SCHEMA_VERSION; version++) {
      const db = join(dir, `v${version}.db`);
      copyFileSync(join(ROOT, `fixtures/stores/v${version}.db`), db);
      const blocker = new Database(db);
      blocker.exec('CREATE TABLE edges_by_callee (note TEXT)');
      blocker.close();
      const original = dump(db);

      const failed = await runCli(['--db', db, 'ingest', DAY2], { cwd: dir });
      expect(failed.code, failed.stderr).toBe(2);
      expect(failed.stderr).toContain(`cannot migrate ${db} from schema version ${version} to ${SCHEMA_VERSION}`);
      expect(failed.stderr).not.toMatch(/^\s+at /m);
      expect(dump(db), `fixtures/stores/v${version}.db after the failed migration`).toEqual(original);
      expect(dump(`${db}.v${version}.bak`), 'the backup taken before it').toEqual(original);

      // The backup of the failed attempt is there; the next attempt replaces it with its own.
      const fixed = new Database(db);
      fixed.exec('DROP TABLE edges_by_callee');
      fixed.close();
      const beforeRetry = dump(db);
      const retried = await runCli(['--db', db, 'ingest', DAY2], { cwd: dir });
      expect(retried.code, retried.stderr).toBe(0);
      expect(dump(db).version).toBe(SCHEMA_VERSION);
      expect(dump(`${db}.v${version}.bak`), 'the backup of the store the retry migrated').toEqual(beforeRetry);
      const fromStore = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
      const fromFiles = await runCli(['export', '--format', 'json', '--input', DAY1, DAY2]);
      expect(fromStore.stdout).toBe(fromFiles.stdout);
    }
  });

  it('a backup killed halfway (a partial file left beside the store) does not block the migration', async () => {
    const dir = tempDir();
    const db = join(dir, 'v1.db');
    copyFileSync(join(ROOT, 'fixtures/stores/v1.db'), db);
    writeFileSync(`${db}.v1.bak`, 'the first 100 bytes of a backup cut short by SIGKILL'.padEnd(100, '.'));
    const r = await runCli(['--db', db, 'export', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(dump(`${db}.v1.bak`).version).toBe(1);
  });
});

describe('accept', () => {
  it('accepts every named edge or none: one unknown edge leaves the baseline as it was', async () => {
    const { db, cli } = freshStore();
    await cli(['nightly', DAY1]);
    expect((await cli(['nightly', DAY2])).code).toBe(1);
    const baseline = () => {
      const sqlite = new Database(db, { readonly: true });
      const rows = sqlite.prepare('SELECT from_node, to_node, impact, note FROM baseline ORDER BY 1, 2').all();
      sqlite.close();
      return rows;
    };
    const before = baseline();
    const r = await cli(['accept', 'checkout->fraud-check', 'checkout->no-such-service', '--note', 'half']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no edge checkout->no-such-service in the store');
    expect(baseline()).toEqual(before);
    expect((await cli(['nightly', DAY2, '--fail-on', 'new-edges'])).code, 'checkout->fraud-check is still new').toBe(1);
  });
});
