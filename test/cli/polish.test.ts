/**
 * What makes the CLI pleasant at a terminal without changing what programs see: colour (and
 * when not to), the progress line, --quiet, examples in every --help, and "did you mean".
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { ProgressLine, formatDuration, formatProgress, startProgress } from '../../src/cli/progress.js';
import { colorError, colorImpactText, colorNightlyText, shouldUseColor } from '../../src/cli/terminal-style.js';
import { ROOT, runCli, spawnCli, tempDir } from '../helpers/cli.js';

const COMMANDS = ['ingest', 'nightly', 'accept', 'export', 'impact', 'plan'];
const DEMO_DAY1 = 'fixtures/demo/day1';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[\d+m/g;
const YELLOW = '\u001b[33m';
const RED = '\u001b[31m';
const BOLD = '\u001b[1m';

/** Runs the CLI in-process with streams that say whether they are terminals. */
async function runAt(argv: string[], options: { stdoutTTY?: boolean; stderrTTY?: boolean; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdin: (async function* () {})(),
    stdout: { write: (s: string) => (stdout += s), isTTY: options.stdoutTTY ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.stderrTTY ?? false },
    env: options.env ?? {},
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}

describe('when to colour', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{}, undefined, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true], // no-color.org: only a non-empty value counts
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true], // as in Node.js: FORCE_COLOR wins
  ])('env %j, TTY %s: colour %s', (env, isTTY, expected) => {
    expect(shouldUseColor(env, isTTY)).toBe(expected);
  });
});

describe('colouring keeps the text', () => {
  it('colours the nightly summary by entry: new edges yellow, impact changes red, continuation lines with their entry', () => {
    const text = readFileSync(join(ROOT, 'test/golden/nightly-compared.txt'), 'utf8');
    const coloured = colorNightlyText(text);
    expect(coloured.replace(ANSI, '')).toBe(text);
    const lines = coloured.split('\n');
    expect(lines[0]).toMatch(/^\u001b\[1mnightly run 2: /);
    const added = lines.findIndex((l) => l.includes('+ checkout -> fraud-check'));
    expect(lines[added]).toMatch(/^\u001b\[33m\+ /);
    expect(lines[added + 1]).toMatch(/^\u001b\[33m {4}2026-11-29T10:00:12Z/);
    expect(lines.find((l) => l.includes('! catalog -> postgresql:catalog'))).toMatch(/^\u001b\[31m! /);
    expect(lines.find((l) => l.startsWith('to accept all:'))).toBe('to accept all:  rollgraph accept --all --note "..."');
  });

  it('puts the impact text\u2019s headings in bold, coloured by what they hold', () => {
    const text = readFileSync(join(ROOT, 'test/golden/impact-shop.txt'), 'utf8');
    const coloured = colorImpactText(text);
    expect(coloured.replace(ANSI, '')).toBe(text);
    const lines = coloured.split('\n');
    expect(lines).toContain(`${YELLOW}${BOLD}must revert with it (1):\u001b[22m\u001b[39m`);
    expect(lines).toContain(`${RED}${BOLD}writes to compensate, not revert (1):\u001b[22m\u001b[39m`);
    expect(lines).toContain(`${BOLD}third parties with side effects, to pause first: none\u001b[22m`);
    expect(lines).toContain('  checkout -> inventory  coordinated (observed), sync, 460 calls, 2 errors');
  });

  it('colours only the error lines', () => {
    expect(colorError('rollgraph: plan --exact: 1 more service\n  checkout: because\n')).toBe(`${RED}rollgraph: plan --exact: 1 more service\u001b[39m\n  checkout: because\n`);
  });

  it('writes errors in red only on a terminal, and not with NO_COLOR', async () => {
    const args = ['impact', 'inventroy', '--input', DEMO_DAY1];
    const plain = await runAt(args);
    expect(plain.code).toBe(2);
    expect(plain.stderr).not.toMatch(ANSI);
    expect(plain.stderr).toContain('rollgraph: unknown service "inventroy"; did you mean inventory?\n');
    const tty = await runAt(args, { stderrTTY: true });
    expect(tty.stderr).toContain(`${RED}rollgraph: unknown service "inventroy"; did you mean inventory?\u001b[39m\n`);
    expect((await runAt(args, { stderrTTY: true, env: { NO_COLOR: '1' } })).stderr).toBe(plain.stderr);
    expect((await runAt(args, { env: { FORCE_COLOR: '1' } })).stderr).toBe(tty.stderr);
  });

  it('colours the impact text on a terminal stdout, and leaves it byte for byte as it was elsewhere', async () => {
    const args = ['impact', 'inventory', '--input', DEMO_DAY1];
    const plain = await runAt(args);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(ANSI);
    const tty = await runAt(args, { stdoutTTY: true });
    expect(tty.stdout).toContain(`${YELLOW}${BOLD}must revert with it (1):`);
    expect(tty.stdout.replace(ANSI, '')).toBe(plain.stdout);
    expect((await runAt(args, { stdoutTTY: true, env: { NO_COLOR: 'yes' } })).stdout).toBe(plain.stdout);
    expect((await runAt([...args, '--json'], { stdoutTTY: true })).stdout).not.toMatch(ANSI);
  });
});

describe('the progress line', () => {
  it('says bytes of the total, spans and their rate, and the time left', () => {
    expect(formatProgress({ verb: 'reading', bytes: 12_300_000, totalBytes: 45_600_000, spans: 100_000, elapsedMs: 2000 })).toBe(
      'reading 12.3 MB of 45.6 MB (26%), 100,000 spans (50,000/s), about 5s left',
    );
  });

  it('leaves out what it cannot know: the total of stdin, a rate in the first second, spans while hashing', () => {
    expect(formatProgress({ verb: 'reading', bytes: 12_300_000, totalBytes: null, spans: 1, elapsedMs: 3000 })).toBe('reading 12.3 MB, 1 span (0/s)');
    expect(formatProgress({ verb: 'reading', bytes: 900, totalBytes: 5_000, spans: 40, elapsedMs: 400 })).toBe('reading 900 B of 5.0 kB (18%), 40 spans');
    expect(formatProgress({ verb: 'hashing', bytes: 2_500_000_000, totalBytes: 10_000_000_000, spans: null, elapsedMs: 5000 })).toBe(
      'hashing 2.5 GB of 10.0 GB (25%), about 15s left',
    );
  });

  it('writes durations for people', () => {
    expect([0.2, 42, 185, 3720].map(formatDuration)).toEqual(['1s', '42s', '3m 05s', '1h 02m']);
  });

  it('draws after half a second, at most four times a second, on one line, and erases itself', () => {
    const writes: string[] = [];
    let now = 0;
    const progress = new ProgressLine({ write: (s: string) => writes.push(s), isTTY: true, columns: 60 }, () => now);
    progress.start('reading', 4_000_000, true);
    progress.addBytes(1_000_000);
    expect(writes).toEqual([]);
    now = 600;
    progress.addBytes(1_000_000);
    now = 700;
    progress.addBytes(1_000_000); // within 250 ms of the last line: not drawn
    expect(writes).toEqual(['\r\u001b[2Kreading 2.0 MB of 4.0 MB (50%), 0 spans']);
    now = 1000;
    for (let i = 0; i < 4096; i++) progress.addSpan();
    // 'about 1s left' would pass the 59 columns of this terminal: the clause is dropped.
    expect(writes.at(-1)).toBe('\r\u001b[2Kreading 3.0 MB of 4.0 MB (75%), 4,096 spans (4,096/s)');
    progress.clear();
    progress.clear();
    expect(writes.filter((w) => w === '\r\u001b[2K')).toHaveLength(1);
  });

  it('is shown only on a terminal, never with --json or --quiet', () => {
    const tty = { write: () => true, isTTY: true };
    expect(startProgress(tty, {})).not.toBeNull();
    expect(startProgress({ write: () => true, isTTY: false }, {})).toBeNull();
    expect(startProgress(tty, { json: true })).toBeNull();
    expect(startProgress(tty, { quiet: true })).toBeNull();
  });
});

describe('--quiet', () => {
  it('prints the output and no summary', async () => {
    const loud = await runCli(['export', '--input', DEMO_DAY1, '--format', 'json']);
    const quiet = await runCli(['--quiet', 'export', '--input', DEMO_DAY1, '--format', 'json']);
    expect(loud.stderr).toMatch(/^read 2 inputs: /);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
  });

  it('keeps errors and policy failures', async () => {
    const unknown = await runCli(['-q', 'impact', 'inventroy', '--input', DEMO_DAY1]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('rollgraph: unknown service "inventroy"; did you mean inventory?\n');
    const exact = await runCli(['-q', 'plan', 'inventory', '--exact', '--input', DEMO_DAY1]);
    expect(exact.code).toBe(1);
    expect(exact.stderr).toMatch(/^rollgraph: plan --exact: 1 more service must revert with inventory\n {2}checkout: checkout -> inventory uses POST \/inventory\/reserve/);
  });

  it('silences the nightly summary and notices; the exit code and --json still tell', async () => {
    const db = join(tempDir(), 'rollgraph.db');
    const first = await runCli(['--quiet', '--db', db, 'nightly', DEMO_DAY1]);
    expect(first).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const again = await runCli(['--quiet', '--db', db, 'nightly', DEMO_DAY1, '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout).skipped).toEqual([join(DEMO_DAY1, 'traces-frontend.jsonl.gz'), join(DEMO_DAY1, 'traces.jsonl')]);
  });
});

describe('help and suggestions', () => {
  it.each(COMMANDS)('%s --help shows examples', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nExamples:\n');
    expect(r.stdout).toMatch(new RegExp(`\\n  \\$ rollgraph (--\\S+ \\S+ )*${command} `));
  });

  it('the top-level help shows an example of every command', async () => {
    const r = await runCli(['--help']);
    const examples = r.stdout.slice(r.stdout.indexOf('\nExamples:\n'));
    for (const command of COMMANDS) expect(examples, command).toMatch(new RegExp(`\\$ rollgraph ${command} `));
  });

  it('suggests the command meant, and exits 2 (the built binary)', () => {
    const r = spawnCli(['exprot', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("rollgraph: error: unknown command 'exprot'\n(Did you mean export?)\n");
  });

  it('suggests the edge meant when accept is given a misspelt name', async () => {
    const db = join(tempDir(), 'rollgraph.db');
    expect((await runCli(['--db', db, 'nightly', DEMO_DAY1])).code).toBe(0);
    const r = await runCli(['--db', db, 'accept', 'chekout->cart']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rollgraph: no edge chekout->cart in the store; did you mean checkout->cart[,?]/);
  });
});
