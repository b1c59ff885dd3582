/**
 * Golden files: a reporter's output compared with `test/golden/<file>`. With `UPDATE_GOLDEN=1`
 * in the environment the file is written instead: review the diff, then commit it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export function expectGolden(actual: string, file: string): void {
  const path = fileURLToPath(new URL(`../golden/${file}`, import.meta.url));
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`test/golden/${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
  }
  // A checkout that turned line endings into CRLF must not fail every golden test.
  const expected = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
  expect(actual, `test/golden/${file} (UPDATE_GOLDEN=1 regenerates it)`).toBe(expected);
}
