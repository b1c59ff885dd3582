/**
 * No network access unless `--from URL` asks for it. The main commands run as a user runs them
 * (the built binary in a child process) with test/security/deny-network.cjs preloaded, which
 * records and refuses every socket, DNS lookup, fetch, HTTP, TLS and UDP attempt. Each must do
 * its work with none; `--from prometheus URL`, the one command that should reach out, shows the
 * monitor sees an attempt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';

const PRELOAD = join(ROOT, 'test/security/deny-network.cjs');
const DAY1 = join(ROOT, 'fixtures/demo/day1');
const DAY2 = join(ROOT, 'fixtures/demo/day2');

let dir: string;
let log: string;

/** Runs rollgraph with the network monitored; returns its exit code, stderr and the attempts it made. */
function run(args: string[]): { code: number | null; stderr: string; attempts: { what: string; target: string }[] } {
  rmSync(log, { force: true });
  const r = spawnSync(process.execPath, ['--require', PRELOAD, BIN, '--db', join(dir, 'rollgraph.db'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ROLLGRAPH_NETWORK_LOG: log },
    maxBuffer: 1 << 26,
  });
  const attempts = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { what: string; target: string })
    : [];
  return { code: r.status, stderr: r.stderr, attempts };
}

beforeAll(() => {
  dir = tempDir('rollgraph-network-');
  log = join(dir, 'network.log');
});

describe('network access', () => {
  const commands: [string, string[], number][] = [
    ['nightly establishing the baseline', ['nightly', DAY1], 0],
    ['ingest', ['ingest', DAY2], 0],
    ['nightly with a report', ['nightly', DAY2, '--report', 'nightly.md', '--json'], 1],
    ['export dot', ['export', '--format', 'dot', '--out', 'graph.dot'], 0],
    ['export mermaid', ['export', '--format', 'mermaid'], 0],
    ['export json since', ['export', '--format', 'json', '--since', '1d'], 0],
    ['export from files', ['export', '--input', DAY1, '--format', 'json'], 0],
    ['impact', ['impact', 'inventory', '--json'], 0],
    ['plan', ['plan', 'inventory', '--format', 'markdown', '--out', 'plan.md'], 0],
    ['accept', ['accept', '--all', '--note', 'reviewed'], 0],
    ['nightly after accepting', ['nightly', DAY2], 0],
    ['ingest a saved dependencies answer', ['ingest', '--from', 'jaeger-dependencies', join(ROOT, 'fixtures/sources/jaeger-dependencies.json')], 0],
  ];

  it.each(commands)('%s makes no attempt', (_, args, code) => {
    const r = run(args);
    expect(r.code, r.stderr).toBe(code);
    expect(r.attempts, r.stderr).toEqual([]);
  });

  it('--from prometheus URL reaches out, and the monitor sees it (so the checks above can fail)', () => {
    const r = run(['ingest', '--from', 'prometheus', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.attempts.length, r.stderr).toBeGreaterThan(0);
    expect(r.attempts[0]!.what).toBe('fetch');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
