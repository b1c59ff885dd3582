/** The answers of Zipkin's ITDependencies scenarios (fixtures/real/zipkin-itdependencies/expected.json, see its SOURCE.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Derivation } from '../../src/derive-graph.js';
import { ROOT } from './cli.js';

export interface ItDependenciesExpected {
  readonly edges: { from: string; to: string; type: string; calls: number; errors: number }[];
  readonly selfCalls: number;
  readonly unresolvedExits: number;
}

/** Per scenario name (the file name without extension). */
export function itDependenciesExpected(): Record<string, ItDependenciesExpected> {
  return JSON.parse(readFileSync(join(ROOT, 'fixtures/real/zipkin-itdependencies/expected.json'), 'utf8')) as Record<string, ItDependenciesExpected>;
}

/** Checks a derivation of one scenario against its answer: edges with calls and errors, self-calls, unresolved exits, nothing rejected. */
export function expectItDependencies(d: Derivation, want: ItDependenciesExpected): void {
  expect(d.view.edges.map(({ from, to, type, calls, errors }) => ({ from, to, type, calls, errors }))).toEqual(want.edges);
  expect(d.stats.selfCalls).toBe(want.selfCalls);
  expect(d.stats.unresolvedExits).toBe(want.unresolvedExits);
  expect(d.rejectedCount).toBe(0);
}
