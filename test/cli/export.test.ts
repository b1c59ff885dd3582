import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KIND, gzip, otlpLines } from '../helpers/otlp.js';
import { runCli, tempDir } from '../helpers/cli.js';

const caller = { service: 'checkout', version: '2.4.0', env: 'production', spans: [{ id: 'c1', kind: KIND.client }] };
const callee = {
  service: 'payments',
  version: '3.1.0',
  env: 'production',
  spans: [{ id: 'p1', parent: 'c1', kind: KIND.server, attrs: { 'http.request.method': 'POST', 'http.route': '/charges' } }],
};

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir, 'caller.jsonl'), otlpLines([caller]));
  mkdirSync(join(dir, 'later'));
  writeFileSync(join(dir, 'later', 'callee.jsonl.gz'), gzip(otlpLines([callee])));
  writeFileSync(join(dir, 'later', '.hidden'), 'not read');
});

describe('rollgraph export', () => {
  it('writes the graph as JSON in the CONTRACT §6 shape, with the summary on stderr', async () => {
    const r = await runCli(['export', '--input', 'caller.jsonl', 'later/callee.jsonl.gz', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout);
    expect(Object.keys(graph)).toEqual(['nodes', 'edges']);
    expect(graph.nodes).toEqual([
      {
        id: 'checkout',
        kind: 'service',
        versions: ['2.4.0'],
        entrypoint: false,
        environments: ['production'],
        rollback: { fromVersion: '2.4.0', toVersion: null, mustRevertWith: [], compensate: [], dampen: [] },
      },
      {
        id: 'payments',
        kind: 'service',
        versions: ['3.1.0'],
        entrypoint: false,
        environments: ['production'],
        rollback: { fromVersion: '3.1.0', toVersion: null, mustRevertWith: ['checkout'], compensate: [], dampen: [] },
      },
    ]);
    expect(Object.keys(graph.edges[0])).toEqual([
      'from', 'to', 'type', 'impact', 'confidence', 'reason', 'calls', 'errors', 'operations', 'via', 'firstSeen', 'lastSeen', 'sampleTraceIds',
      'callerVersions', 'calleeVersions', 'environments',
    ]);
    expect(graph.edges[0]).toMatchObject({
      from: 'checkout',
      to: 'payments',
      type: 'sync',
      calls: 1,
      operations: [{ name: 'POST /charges', calls: 1, calleeVersions: ['3.1.0'] }],
    });
    expect(graph.edges[0].firstSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.stderr).toContain('read 2 inputs: 2 spans in 1 trace -> 2 services, 1 edge');
  });

  it('reads directories (hidden files skipped), quoted globs and stdin', async () => {
    const fromDir = await runCli(['export', '--input', '.', '--format', 'json'], { cwd: dir });
    expect(fromDir.code).toBe(0);
    expect(JSON.parse(fromDir.stdout).edges).toHaveLength(1);
    const fromGlob = await runCli(['export', '--input', '**/*.jsonl*', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(fromGlob.stdout).edges).toHaveLength(1);
    const fromStdin = await runCli(['export', '--input', '-', 'later/callee.jsonl.gz', '--format', 'json'], { cwd: dir, stdin: otlpLines([caller]) });
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout).edges).toHaveLength(1);
  });

  it('writes DOT to --out atomically, and Mermaid fenced when --out is Markdown', async () => {
    const out = tempDir();
    const dot = await runCli(['export', '-i', 'caller.jsonl', 'later', '--format', 'dot', '--out', join(out, 'graph.dot')], { cwd: dir });
    expect(dot.code).toBe(0);
    expect(dot.stdout).toBe('');
    expect(readFileSync(join(out, 'graph.dot'), 'utf8')).toMatch(/^digraph/);
    const md = await runCli(['export', '-i', '.', '--format', 'mermaid', '--out', join(out, 'graph.md')], { cwd: dir });
    expect(md.code).toBe(0);
    expect(readFileSync(join(out, 'graph.md'), 'utf8')).toMatch(/^```mermaid\nflowchart LR/);
    const mmd = await runCli(['export', '-i', '.', '--format', 'mermaid'], { cwd: dir });
    expect(mmd.stdout).toMatch(/^flowchart LR/);
    expect(readdirSync(out).sort()).toEqual(['graph.dot', 'graph.md']);
  });

  it('defaults to DOT', async () => {
    const r = await runCli(['export', '-i', '.'], { cwd: dir });
    expect(r.stdout).toMatch(/^digraph/);
  });

  it('--env selects one environment', async () => {
    const r = await runCli(['--env', 'staging', 'export', '-i', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ nodes: [], edges: [] });
    expect(r.stderr).toContain('environments seen: production');
  });

  it('lists rejected records as file:line: field: reason and still exits 0 when the rest is usable', async () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'traces.jsonl'), `${otlpLines([caller]).trim()}\n{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}\n${otlpLines([callee])}`);
    const r = await runCli(['export', '-i', 'traces.jsonl', '--format', 'json'], { cwd: bad });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('rejected 1 record:\n    traces.jsonl:2: resourceSpans[0].scopeSpans[0].spans[0].traceId: not a hex id: "xyz"');
    expect(JSON.parse(r.stdout).edges).toHaveLength(1);
  });
});

describe('rollgraph export: mistakes get one clear line and exit 2', () => {
  it('no --input and no store', async () => {
    const empty = tempDir();
    const r = await runCli(['export'], { cwd: empty });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rollgraph: no store at ${join(empty, 'rollgraph.db')}: run \`rollgraph nightly\` or \`rollgraph ingest\` first, or read trace files with --input\n`);
  });

  it('--since reads the store, not files', async () => {
    const r = await runCli(['export', '--input', '.', '--since', '7d'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since narrows the store');
  });

  it('a path that does not exist, a glob that matches nothing, a dangling link', async () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.json'));
    for (const [path, message] of [
      ['missing.jsonl', 'rollgraph: missing.jsonl: no such file or directory\n'],
      ['*.nothing', 'rollgraph: *.nothing: no file matches this pattern\n'],
      ['dangling.json', 'rollgraph: dangling.json: no such file or directory\n'],
    ]) {
      const r = await runCli(['export', '-i', path!], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(message);
      expect(r.stdout).toBe('');
    }
  });

  it('a file with nothing usable: the summary says why, nothing is written', async () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'logs.jsonl'), '{"resourceLogs":[]}\n');
    const r = await runCli(['export', '-i', 'logs.jsonl', join(dir, 'caller.jsonl'), '--format', 'json', '--out', 'graph.json'], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('logs.jsonl:1: resourceLogs: this is OTLP logs data, not traces');
    expect(r.stderr).toContain('rollgraph: nothing usable in logs.jsonl: no span could be read');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(bad, 'graph.json'))).toBe(false);
  });

  it('an unknown format, an unknown option, an unknown command', async () => {
    const format = await runCli(['export', '-i', '.', '--format', 'pdf'], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("option '-f, --format <format>' argument 'pdf' is invalid. Allowed choices are dot, json, mermaid");
    expect(format.stderr).toMatch(/Allowed choices are .*\bsvg, png\b/);
    const option = await runCli(['export', '--inptu', 'x']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('(Did you mean --input?)');
    const command = await runCli(['exprot']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('(Did you mean export?)');
  });

  it('--window must be a positive number', async () => {
    const r = await runCli(['export', '-i', '.', '--window', 'lots'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rollgraph: --window must be a positive whole number of spans, got "lots"\n');
  });

  it('an output path in a missing directory', async () => {
    const r = await runCli(['export', '-i', '.', '--out', 'no/such/dir/graph.dot'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rollgraph: cannot write .*graph\.dot \(ENOENT\)/);
  });
});

describe('help', () => {
  it('teaches with examples, and exits 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Examples:');
    expect(top.stdout).toContain('export');
    const sub = await runCli(['export', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--format <format>');
    expect(sub.stdout).toContain('Examples:');
  });

  it('prints usage and exits 2 without a command', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain('Usage: rollgraph');
  });
});
