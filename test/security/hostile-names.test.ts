/**
 * Names from traces are data, never markup: service names (and the operations and versions built
 * from them) holding HTML, quotes, backslashes, newlines, backticks, pipes, `]]`, `-->`, `%%` and
 * Unicode line separators go through ingest, the store and every text output, and each output
 * still parses as its format and shows the names as text: DOT through the real Graphviz (the
 * system `dot` when installed, and the WebAssembly build), Mermaid statement by statement, JSON
 * by JSON.parse, Markdown (the nightly report and the plan) with no raw HTML and unbroken tables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { drawnLines, hasSystemDot, layOutWithSystemDot, layOutWithWasm, svgTexts } from '../helpers/graphviz.js';
import { proseLines, splitCodeSpans } from '../helpers/markdown.js';
import { KIND, hexId, otlpDocument } from '../helpers/otlp.js';

const NAMES = [
  '<img src=x onerror=alert(1)>',
  `quote"d'svc`,
  'back\\slash\\',
  'new\nline',
  'back`tick`',
  'pi|pe',
  'close]]bracket',
  'arrow-->x',
  '%%{init: {"securityLevel":"loose"}}%%',
  'line\u2028sep\u2029para',
] as const;
const [IMG] = NAMES;

/** A ring of calls: each name calls the next, with an operation named after its callee. */
function ring(names: readonly string[]): string {
  return names
    .map((to, i) => {
      const from = names[(i + 1) % names.length]!;
      const trace = hexId(`h${i}`, 32);
      const operation = `GET /${to}`;
      return JSON.stringify(
        otlpDocument([
          { service: from, version: '1.0.0', spans: [{ trace, id: 'c', kind: KIND.client, name: operation, attrs: { 'http.request.method': 'GET' } }] },
          { service: to, version: '2.0.0', spans: [{ trace, id: 's', parent: 'c', kind: KIND.server, name: operation, attrs: { 'http.request.method': 'GET', 'http.route': `/${to}` } }] },
        ]),
      );
    })
    .join('\n')
    .concat('\n');
}

let dir: string;
let input: string;
const cli = (args: string[]) => runCli(args, { cwd: dir });

beforeAll(() => {
  dir = tempDir('rollgraph-hostile-');
  input = join(dir, 'hostile.jsonl');
  writeFileSync(input, ring(NAMES));
});

/** How a name reads in Markdown code spans: control characters as `\xHH`. */
const inMarkdown = (name: string) => name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** The code spans of a Markdown text (table cells unescaped as GFM does: `\|` is a pipe). */
function codeSpans(markdown: string): string[] {
  return proseLines(markdown).flatMap((line) => splitCodeSpans(line).code.map((code) => (line.startsWith('|') ? code.replaceAll('\\|', '|') : code)));
}

/** Markdown outside code spans and fences must hold no HTML tag, and every table row as many cells as its header. */
function expectSafeMarkdown(markdown: string): void {
  let columns: number | null = null;
  for (const line of proseLines(markdown)) {
    const { text } = splitCodeSpans(line);
    expect(text, `raw HTML in: ${line}`).not.toMatch(/(?<!\\)<[A-Za-z/!?]/);
    if (line.startsWith('|')) {
      const cells = line.replaceAll('\\\\', '').replaceAll('\\|', '').split('|').length;
      columns ??= cells;
      expect(cells, `a broken table row: ${line}`).toBe(columns);
    } else columns = null;
  }
}

describe('hostile names from traces', () => {
  it('export --format json keeps every name exactly', async () => {
    const r = await cli(['export', '--input', input, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const graph = JSON.parse(r.stdout) as { nodes: { id: string }[]; edges: { from: string; to: string }[] };
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([...NAMES].sort());
    expect(graph.edges).toHaveLength(NAMES.length);
  });

  it('export --format dot parses in Graphviz and draws every name as text', async () => {
    const r = await cli(['export', '--input', input, '--format', 'dot']);
    expect(r.code, r.stderr).toBe(0);
    const svgs = [layOutWithWasm(r.stdout), ...(hasSystemDot ? [layOutWithSystemDot(r.stdout)] : [])];
    for (const svg of svgs) {
      expect(svg, 'no element from a name').not.toMatch(/<img\b|<script\b/);
      const texts = svgTexts(svg);
      for (const name of NAMES) for (const line of drawnLines(name)) expect(texts, JSON.stringify(line)).toContain(line);
    }
  });

  it('export --format mermaid is only well-formed statements, every label the name as text', async () => {
    const r = await cli(['export', '--input', input, '--format', 'mermaid']);
    expect(r.code, r.stderr).toBe(0);
    expectSafeMermaid(r.stdout);
  });

  it('nightly --report writes Markdown with no raw HTML, whole tables, and the names in code spans', async () => {
    const db = join(dir, 'nightly.db');
    // A baseline of part of the ring, so the rest is flagged and reported.
    const first = join(dir, 'first.jsonl');
    writeFileSync(first, ring(NAMES).split('\n').slice(0, 3).join('\n') + '\n');
    expect((await cli(['--db', db, 'nightly', first])).code).toBe(0);
    const r = await cli(['--db', db, 'nightly', input, '--report', 'report.md', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const flagged = (JSON.parse(r.stdout) as { newEdges: { from: string; to: string }[] }).newEdges;
    expect(flagged.length).toBeGreaterThanOrEqual(NAMES.length - 3);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expectSafeMarkdown(report);
    const spans = codeSpans(report);
    for (const edge of flagged) for (const name of [edge.from, edge.to]) expect(spans, JSON.stringify(name)).toContain(inMarkdown(name));
    const chart = /```mermaid\n([\s\S]*?)```/.exec(report)?.[1];
    expect(chart).toBeDefined();
    expectSafeMermaid(chart!, false);
  });

  it('plan --format markdown writes Markdown with no raw HTML, whole tables, and the names in code spans', async () => {
    const r = await cli(['plan', IMG, '--input', input, '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    expectSafeMarkdown(r.stdout);
    expect(codeSpans(r.stdout)).toContain(IMG);
    expect(r.stdout.split('\n')[0]).toBe(`# Rollback plan: \`${IMG}\``);
  });
});

/** Mermaid: one statement a line, labels quoted with entity codes, nothing its pre-parse would read. */
function expectSafeMermaid(chart: string, allNames = true): void {
  const lines = chart.trimEnd().split('\n');
  expect(lines[0]).toBe('flowchart LR');
  const labels: string[] = [];
  for (const line of lines.slice(1)) {
    expect(line, 'a statement').toMatch(/^ {4}(n\d+(\["|\[\("|\[\/"|\{\{")[^"]*("\]|"\)\]|"\/\]|"\}\})|n\d+ (-->|-\.->)\|"[^"]*"\| n\d+|classDef [\w-]+ [^;]*|class [n\d,]+ [\w-]+|linkStyle [\d,]+ [^;]*)$/);
    expect(line, 'a directive').not.toContain('%%');
    for (const quoted of line.matchAll(/"([^"]*)"/g)) expect(quoted[1], 'a label').not.toMatch(/[<>`\\\u2028\u2029\n]/);
    const label = /^ {4}n\d+\W+"([^"]*)"/.exec(line)?.[1];
    if (label !== undefined && !line.includes('|')) labels.push(decodeEntityCodes(label));
  }
  const shown = NAMES.map((name) => name.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' '));
  if (allNames) expect(labels.sort()).toEqual(shown.sort());
  else for (const label of labels) expect(shown).toContain(label);
}

function decodeEntityCodes(label: string): string {
  const named: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>' };
  return label.replace(/#(\d+|quot|amp|lt|gt);/g, (_, code: string) => (/^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : (named[code] ?? '')));
}
