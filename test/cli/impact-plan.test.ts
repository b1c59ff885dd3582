import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const DEMO = ['--input', 'fixtures/demo/day1', 'fixtures/demo/day2'];

describe('rollgraph impact', () => {
  it('names the callers that must revert, the writes to compensate, and the unaffected neighbours', async () => {
    const r = await runCli(['impact', 'inventory', ...DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rolling back inventory from 1.9.0 to 1.8.2');
    expect(r.stdout).toContain('checkout uses POST /inventory/reserve, which inventory 1.8.2 never served');
    expect(r.stdout).toContain('inventory -> postgresql:inventory');
    expect(r.stderr).toMatch(/^read 3 inputs/);
  });

  it('--json follows the contract: service, fromVersion, toVersion, mustRevertWith, edges, plan', async () => {
    const r = await runCli(['impact', 'inventory', '--json', ...DEMO]);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(Object.keys(view)).toEqual(['service', 'fromVersion', 'toVersion', 'mustRevertWith', 'edges', 'plan']);
    expect(view).toMatchObject({ service: 'inventory', fromVersion: '1.9.0', toVersion: '1.8.2', mustRevertWith: ['checkout'] });
    expect(view.edges.map((e: { from: string; to: string; impact: string }) => `${e.from}->${e.to}:${e.impact}`)).toEqual([
      'checkout->inventory:coordinated',
      'inventory->postgresql:inventory:data-migration',
    ]);
    expect(Object.keys(view.plan)).toEqual(expect.arrayContaining(['targets', 'revertSet', 'waves', 'cycles', 'steps', 'added']));
  });

  it('--to-version evaluates against an older version', async () => {
    const r = await runCli(['impact', 'checkout', '--to-version', '2.4.0', '--json', ...DEMO]);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(view).toMatchObject({ fromVersion: '2.6.0', toVersion: '2.4.0' });
    const fromWeb = view.edges.find((e: { from: string }) => e.from === 'web-frontend');
    expect(fromWeb).toMatchObject({ impact: 'independent', confidence: 'observed' });
  });

  it('an unknown service exits 2 and suggests the closest names', async () => {
    const r = await runCli(['impact', 'inventroy', ...DEMO]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').at(-1)).toBe('rollgraph: unknown service "inventroy"; did you mean inventory?');
  });

  it('a database is not a service, and an unknown version names the known ones', async () => {
    const db = await runCli(['impact', 'postgresql:orders', ...DEMO]);
    expect(db.code).toBe(2);
    expect(db.stderr).toContain('rollgraph: postgresql:orders is a database, not a service');
    const version = await runCli(['impact', 'inventory', '--to-version', '1.7', ...DEMO]);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain('inventory was never seen at version "1.7"; versions in the traces, oldest first: 1.8.2, 1.9.0');
  });

  it('reads the store without --input, and says so when there is none', async () => {
    const dir = tempDir();
    const r = await runCli(['impact', 'inventory'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rollgraph: no store at ${join(dir, 'rollgraph.db')}: run \`rollgraph nightly\` or \`rollgraph ingest\` first, or read trace files with --input\n`);
  });
});

describe('rollgraph plan', () => {
  it('prints the plan for people by default', async () => {
    const r = await runCli(['plan', 'inventory', ...DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rollback plan for inventory');
    expect(r.stdout).toMatch(/snapshot[\s\S]*revert[\s\S]*verify[\s\S]*compensate/);
  });

  it('rolls an added caller back to a version that does not use what forced it in', async () => {
    const r = await runCli(['plan', 'inventory', '--json', ...DEMO]);
    const plan = JSON.parse(r.stdout);
    expect(plan.versions.checkout).toEqual({ from: '2.6.0', to: '2.4.0' });
    expect(plan.warnings).toContain(
      'checkout 2.5.0 still uses POST /inventory/reserve on inventory 1.8.2: roll checkout back to 2.4.0 instead, the newest version that does not',
    );
  });

  it('writes a Markdown runbook to --out', async () => {
    const dir = tempDir();
    const r = await runCli(['plan', 'inventory', '--format', 'markdown', '--out', join(dir, 'rollback.md'), ...DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const md = readFileSync(join(dir, 'rollback.md'), 'utf8');
    expect(md).toMatch(/^# /);
    expect(md.match(/- \[ \]/g)!.length).toBeGreaterThanOrEqual(5);
  });

  it('--exact exits 1 naming each added service with the edge and operation forcing it', async () => {
    const r = await runCli(['plan', 'inventory', '--exact', ...DEMO]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rollback plan for inventory');
    expect(r.stderr).toContain('rollgraph: plan --exact: 1 more service must revert with inventory\n  checkout: checkout -> inventory uses POST /inventory/reserve (');
    const both = await runCli(['plan', 'inventory', 'checkout', '--exact', '--json', ...DEMO]);
    expect(both.code).toBe(0);
    expect(JSON.parse(both.stdout).added).toEqual([]);
  });

  it('unknown targets exit 2', async () => {
    const r = await runCli(['plan', 'checkout', 'fraud-chek', ...DEMO]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rollgraph: unknown service "fraud-chek"; did you mean fraud-check?');
  });
});

describe('export shows impacts', () => {
  it('every edge has impact, confidence and reason; every service a rollback profile', async () => {
    const r = await runCli(['export', '--format', 'json', ...DEMO]);
    const graph = JSON.parse(r.stdout);
    for (const edge of graph.edges) {
      expect(Object.keys(edge).slice(0, 6)).toEqual(['from', 'to', 'type', 'impact', 'confidence', 'reason']);
      expect(edge.reason.length).toBeGreaterThan(20);
    }
    const inventory = graph.nodes.find((n: { id: string }) => n.id === 'inventory');
    expect(inventory.rollback).toEqual({ fromVersion: '1.9.0', toVersion: '1.8.2', mustRevertWith: ['checkout'], compensate: ['postgresql:inventory'], dampen: [] });
    const payments = graph.nodes.find((n: { id: string }) => n.id === 'payments');
    expect(payments.rollback.dampen).toEqual(['api.stripe.com']);
    expect(graph.nodes.find((n: { id: string }) => n.id === 'postgresql:orders').rollback).toBeUndefined();
  });
});

describe('the config file', () => {
  function project(config: Record<string, string>) {
    const dir = tempDir();
    for (const [name, text] of Object.entries(config)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const demo = ['--input', join(process.cwd(), 'fixtures/demo/day1'), join(process.cwd(), 'fixtures/demo/day2')];

  it('overrides impacts with a reason, ignores calls, and aliases names', async () => {
    const dir = project({
      'rollgraph.config.yaml': `
impact:
  - from: checkout
    to: inventory
    impact: independent
    reason: inventory keeps serving the old stock API behind a flag
ignore:
  - to: api.sendgrid.com
    reason: mail is fire and forget
aliases:
  "postgresql:inventory": inventory-db
`,
    });
    const r = await runCli(['export', '--format', 'json', ...demo], { cwd: dir });
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout);
    const edge = graph.edges.find((e: { from: string; to: string }) => e.from === 'checkout' && e.to === 'inventory');
    expect(edge).toMatchObject({
      impact: 'independent',
      confidence: 'observed',
      reason: 'inventory keeps serving the old stock API behind a flag (rollgraph.config.yaml: impact.0)',
    });
    expect(graph.edges.some((e: { to: string }) => e.to === 'api.sendgrid.com')).toBe(false);
    expect(graph.nodes.some((n: { id: string }) => n.id === 'inventory-db')).toBe(true);
    expect(r.stderr).toContain('29 calls ignored by the config file');
  });

  it('reports every problem as file: a.b.c: message and exits 2 before reading anything', async () => {
    const dir = project({ 'rollgraph.config.json': '{"impact":[{"form":"a","impact":"safe"}],"aliases":{"x":""}}' });
    const r = await runCli(['export', ...demo], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.every((l) => l.startsWith('rollgraph: rollgraph.config.json: '))).toBe(true);
    expect(r.stderr).toContain('impact.0: unknown key "form" (did you mean "from"?)');
    expect(r.stderr).toContain('impact.0.impact: must be one of independent, coordinated, data-migration');
    expect(r.stderr).toContain('impact.0.reason: is required');
    expect(r.stderr).not.toContain('read ');
  });

  it('names the line of a syntax error, takes --config, and refuses two config files', async () => {
    const dir = project({ 'custom.yml': 'impact:\n  - to: x\n    impact: [\n' });
    const bad = await runCli(['--config', 'custom.yml', 'export', ...demo], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rollgraph: custom\.yml:\d+:\d+: /);
    const missing = await runCli(['--config', 'nope.yaml', 'export', ...demo], { cwd: dir });
    expect(missing.stderr).toBe('rollgraph: nope.yaml: no such config file\n');
    const two = project({ 'rollgraph.config.json': '{}', 'rollgraph.config.yaml': '' });
    const both = await runCli(['export', ...demo], { cwd: two });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('rollgraph: rollgraph.config.json and rollgraph.config.yaml both exist: keep one config file\n');
  });
});
