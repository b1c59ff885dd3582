/** The answers of Zipkin's ITDependencies scenarios (fixtures/real/zipkin-itdependencies/expected.json, see its SOURCE.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
