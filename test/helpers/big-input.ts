/**
 * A large OTLP JSON Lines export for robustness tests: the demo's day-1 export replicated, each
 * copy with its own trace ids so the traces stay distinct (about 0.8 MB per copy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

const SOURCE = join(ROOT, 'fixtures/demo/day1/traces.jsonl');

/** Writes `copies` copies of fixtures/demo/day1/traces.jsonl to `path`, trace ids made distinct per copy. */
export function writeBigInput(path: string, copies: number): void {
  const text = readFileSync(SOURCE, 'utf8');
  const body = text.endsWith('\n') ? text : `${text}\n`;
  const chunks: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    // The first 8 hex characters of every trace id become the copy's counter.
    const prefix = copy.toString(16).padStart(8, '0');
    chunks.push(body.replace(/"traceId":"[0-9a-fA-F]{8}/g, `"traceId":"${prefix}`));
  }
  writeFileSync(path, chunks.join(''));
}
