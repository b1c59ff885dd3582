/**
 * The built executable, spawned exactly as a user runs it (`npm test` builds dist/ first).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, spawnCli, tempDir } from '../helpers/cli.js';

describe('bin/rollgraph.js', () => {
  it('exports the demo graph as JSON, reading gzip and plain JSON Lines from directories', () => {
    const r = spawnCli(['export', '--input', 'fixtures/demo/day1', '--format', 'json']);
    expect(r.stderr).toMatch(/^read 2 inputs: [\d,]+ spans in [\d,]+ traces -> \d+ services, \d+ edges\n/);
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout);
    expect(graph.nodes.length).toBeGreaterThan(5);
    expect(graph.edges.length).toBeGreaterThan(5);
  });

  it('reads stdin with -', () => {
    const text = readFileSync(join(ROOT, 'fixtures/real/grafana-agent/trace-sample.json'));
    const r = spawnCli(['export', '--input', '-', '--format', 'mermaid'], { stdin: text });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flowchart LR\n/);
  });

  it('prints one line and no stack trace for a user mistake, and exits 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'metrics.json'), '{"resourceMetrics":[]}');
    const r = spawnCli(['export', '--input', join(dir, 'metrics.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('metrics.json:1: resourceMetrics: this is OTLP metrics data, not traces');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rollgraph: nothing usable in .*metrics\.json/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    const r = spawnSync('bash', ['-c', `node ${BIN} export --input fixtures/demo --format json 2>/dev/null | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).toBe('');
  });

  it('prints its version', () => {
    const r = spawnCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
