/**
 * The boundaries of DESIGN.md, checked on every run: a functional core inside an imperative
 * shell. Only cli/ touches the process; only store/ touches SQLite; nothing imports cli/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sourceFiles(SRC).map((path) => {
  const text = readFileSync(path, 'utf8');
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const imports = [...code.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
  return { path: relative(SRC, path), code, imports };
});

const local = (file: { path: string }, spec: string) => relative(SRC, resolve(dirname(join(SRC, file.path)), spec)).replace(/\.js$/, '.ts');
const layer = (path: string) => (path.includes('/') ? path.split('/')[0]! : path);
const CORE = ['ingest', 'derive', 'graph', 'report', 'config'];

describe('architecture', () => {
  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('nothing outside cli/ imports cli/', () => {
    const offenders = files.filter((f) => layer(f.path) !== 'cli' && f.imports.some((i) => i.startsWith('.') && layer(local(f, i)) === 'cli'));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only store/ touches SQLite', () => {
    expect(files.filter((f) => layer(f.path) !== 'store' && f.imports.includes('better-sqlite3')).map((f) => f.path)).toEqual([]);
  });

  it('the core touches no file system, SQLite, process or console', () => {
    const core = files.filter((f) => CORE.includes(layer(f.path)) || !f.path.includes('/'));
    const offenders = core.flatMap((f) => {
      const bad: string[] = f.imports.filter((i) => i === 'node:fs' || i === 'fs' || i === 'node:fs/promises' || i === 'better-sqlite3');
      if (/\bprocess\./.test(f.code)) bad.push('process');
      if (/\bconsole\./.test(f.code)) bad.push('console');
      return bad.map((b) => `${f.path}: ${b}`);
    });
    expect(offenders).toEqual([]);
  });

  it('reporters read only the view types', () => {
    const offenders = files
      .filter((f) => layer(f.path) === 'report')
      .flatMap((f) => f.imports.filter((i) => i.startsWith('.') && !['model.ts'].includes(local(f, i)) && layer(local(f, i)) !== 'report').map((i) => `${f.path}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('store/ imports only the model and the error types', () => {
    const offenders = files
      .filter((f) => layer(f.path) === 'store')
      .flatMap((f) =>
        f.imports.filter((i) => i.startsWith('.') && !['model.ts', 'errors.ts'].includes(local(f, i)) && layer(local(f, i)) !== 'store').map((i) => `${f.path}: ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(files.map((f) => [f.path, f.imports.filter((i) => i.startsWith('.')).map((i) => local(f, i))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
