/**
 * Paths are taken as the user gives them, and no further:
 * - `--out` and `--report` may name a file anywhere (outside the working directory too), written
 *   whole through a temporary file that is created only where nothing is (a link planted where
 *   it goes is never written through);
 * - an `--out` or `--report` that names a symbolic link replaces the link with the file and says
 *   so: the file the link pointed to is never written;
 * - walks of an input directory and `**` globs do not follow symbolic links, so a link loop ends
 *   and no file is read twice through one; a glob may climb out with `..` when the user writes so.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const TRACES = readFileSync(join(ROOT, 'fixtures/demo/day1/traces.jsonl'));
const VICTIM = 'a file the link points to, which rollgraph must leave alone\n';

let base: string;
let work: string;

beforeEach(() => {
  base = tempDir('rollgraph-paths-');
  work = join(base, 'work');
  mkdirSync(work);
  mkdirSync(join(base, 'data', 'day', 'nested'), { recursive: true });
  writeFileSync(join(base, 'data', 'day', 'nested', 'traces.jsonl'), TRACES);
});

const cli = (args: string[]) => runCli(args, { cwd: work });
const summaryOf = (stderr: string) => /read (\d+) inputs?: ([\d,]+) spans/.exec(stderr)?.slice(1);

describe('--out and --report', () => {
  it('write where the user asks, outside the working directory too', async () => {
    const input = join(base, 'data');
    expect((await cli(['export', '--input', input, '--format', 'dot', '--out', '../graph.dot'])).code).toBe(0);
    expect(readFileSync(join(base, 'graph.dot'), 'utf8')).toMatch(/^digraph rollgraph \{/);
    const elsewhere = join(tempDir('rollgraph-elsewhere-'), 'graph.json');
    expect((await cli(['export', '--input', input, '--format', 'json', '--out', elsewhere])).code).toBe(0);
    expect(JSON.parse(readFileSync(elsewhere, 'utf8')).edges).toHaveLength(16);
    expect(readdirSync(work), 'no temporary file left behind').toEqual([]);
  });

  it('replace a symbolic link with the file and say so, never writing through it', async () => {
    const victim = join(base, 'victim.txt');
    writeFileSync(victim, VICTIM);
    symlinkSync(victim, join(work, 'graph.dot'));
    const r = await cli(['export', '--input', join(base, 'data'), '--format', 'dot', '--out', 'graph.dot']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: graph.dot was a symbolic link to ${victim}; replaced the link with the file`);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM);
    expect(lstatSync(join(work, 'graph.dot')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(work, 'graph.dot'), 'utf8')).toMatch(/^digraph rollgraph \{/);

    // nightly's --report the same way; a dangling link too.
    symlinkSync(join(base, 'nowhere', 'report.md'), join(work, 'report.md'));
    symlinkSync(victim, join(work, 'plan.md'));
    const nightly = await cli(['--db', 'r.db', 'nightly', join(base, 'data'), '--report', 'report.md']);
    expect(nightly.code, nightly.stderr).toBe(0);
    expect(nightly.stderr).toContain('note: report.md was a symbolic link');
    expect(readFileSync(join(work, 'report.md'), 'utf8')).toMatch(/^# rollgraph nightly/);
    expect(existsSync(join(base, 'nowhere'))).toBe(false);
    const plan = await cli(['--db', 'r.db', 'plan', 'inventory', '--format', 'markdown', '--out', 'plan.md']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM);
  });

  it('never write through a link planted where the temporary file would go', async () => {
    const victim = join(base, 'victim.txt');
    writeFileSync(victim, VICTIM);
    // The name an older rollgraph used (the output's name and the process id), planted in advance.
    symlinkSync(victim, join(work, `graph.dot.${process.pid}.tmp`));
    const r = await cli(['export', '--input', join(base, 'data'), '--format', 'dot', '--out', 'graph.dot']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM);
    expect(lstatSync(join(work, 'graph.dot')).isFile()).toBe(true);
  });
});

describe('inputs', () => {
  it('a directory walk does not follow a symbolic-link loop, nor read a file twice through links', async () => {
    const day = join(base, 'data', 'day');
    symlinkSync('..', join(day, 'nested', 'loop'));
    symlinkSync(join(base, 'data'), join(day, 'up'));
    symlinkSync(join(day, 'nested', 'traces.jsonl'), join(day, 'linked.jsonl'));
    const walk = await cli(['export', '--input', join(base, 'data'), '--format', 'json']);
    expect(walk.code, walk.stderr).toBe(0);
    expect(summaryOf(walk.stderr)).toEqual(['1', '1,053']);
  });

  it('a ** glob does not follow links either, and a glob may climb out with ..', async () => {
    const day = join(base, 'data', 'day');
    symlinkSync('..', join(day, 'nested', 'loop'));
    symlinkSync(join(day, 'nested', 'traces.jsonl'), join(day, 'linked.jsonl'));
    const glob = await cli(['export', '--input', '../data/**/*.jsonl', '--format', 'json']);
    expect(glob.code, glob.stderr).toBe(0);
    expect(summaryOf(glob.stderr)).toEqual(['1', '1,053']);
    const climbed = await cli(['export', '--input', '../data/day/../day/nested/*.jsonl', '--format', 'json']);
    expect(climbed.code, climbed.stderr).toBe(0);
    expect(summaryOf(climbed.stderr)).toEqual(['1', '1,053']);
    // A link named explicitly is read: the user chose it.
    const named = await cli(['export', '--input', join(day, 'linked.jsonl'), '--format', 'json']);
    expect(summaryOf(named.stderr)).toEqual(['1', '1,053']);
    const none = await cli(['export', '--input', '../nowhere/**/*.jsonl', '--format', 'json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no file matches this pattern');
  });
});
