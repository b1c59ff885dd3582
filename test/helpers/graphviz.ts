/**
 * Real Graphviz for the tests: the system `dot` when installed (CI installs it) and the
 * WebAssembly build always, so a DOT output is checked by the program users run it through.
 */
import { spawnSync } from 'node:child_process';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { expect } from 'vitest';
import type { GraphView } from '../../src/model.js';

/** A system Graphviz is optional; the WebAssembly build always runs. */
export const hasSystemDot = spawnSync('dot', ['-V']).error === undefined;

const graphviz = await Graphviz.load();

export function layOutWithSystemDot(source: string): string {
  const result = spawnSync('dot', ['-Tsvg'], { input: source, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/error/i);
  return result.stdout;
}

export function layOutWithWasm(source: string): string {
  return graphviz.dot(source); // throws on a syntax error
}

/** Graphviz's JSON layout (objects are nodes and clusters), from the WebAssembly build. */
export function layOutAsJson<T>(source: string): T {
  return JSON.parse(graphviz.layout(source, 'json')) as T;
}

/** The text of every `<text>` element of an SVG, XML entities decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) =>
    decodeXml(match[1] ?? ''),
  );
}

export function decodeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ENTITIES[name] ?? '')
    .replace(/\u00a0/g, ' '); // Graphviz writes the second of two spaces as &#160;
}
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

/** The lines a node's name is drawn as: line breaks kept, control characters as pictures. */
export function drawnLines(name: string): string[] {
  return name
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f]/g, (char) => String.fromCodePoint(0x2400 + char.charCodeAt(0)))
    .split('\n');
}

export function expectSvgNamesEveryNode(svg: string, view: GraphView): void {
  const texts = svgTexts(svg);
  for (const node of view.nodes) {
    for (const line of drawnLines(node.id)) expect(texts, `a text "${line}"`).toContain(line);
  }
}

