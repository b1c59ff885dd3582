/**
 * Every file of the hostile corpus (fixtures/hostile/, expected.json beside it) through the CLI
 * as a user runs it: `export --input FILE --format json`. Each must end in time with the exit
 * code and summary lines documented, never a stack trace, and never "0 spans" without a
 * rejection saying why. The large files are written to a temporary directory by
 * scripts/generate-hostile.mjs --large.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

interface Expectation {
  readonly file: string;
  readonly large?: boolean;
  readonly result: 'accepted' | 'warning' | 'rejected';
  readonly exit: number;
  /** Spans in the summary line; null when the count depends on where a real file was cut. */
  readonly spans: number | null;
  readonly stderr: readonly string[];
}

const HOSTILE = join(ROOT, 'fixtures/hostile');
const expected = (JSON.parse(readFileSync(join(HOSTILE, 'expected.json'), 'utf8')) as { files: Expectation[] }).files;
const RUN_TIMEOUT_MS = 30_000;

let largeDir = '';
beforeAll(() => {
  largeDir = tempDir('rollgraph-hostile-');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-hostile.mjs'), '--large', largeDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`generate-hostile.mjs --large failed: ${r.stderr}`);
}, 60_000);

/** The CLI run, or a failure if it does not end within the time a hang would exceed. */
async function exportWithin(cwd: string, file: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${file}: no answer within ${RUN_TIMEOUT_MS} ms (a hang?)`)), RUN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([runCli(['export', '--input', file, '--format', 'json'], { cwd }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('hostile inputs through `rollgraph export`', () => {
  it('the corpus covers every case expected.json documents, and only those', () => {
    const committed = expected.filter((e) => e.large !== true).map((e) => e.file).sort();
    const generator = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(ROOT, 'scripts/generate-hostile.mjs'))}).then(m => console.log(JSON.stringify([Object.keys(m.smallCorpus()), Object.keys(m.largeCorpus())])))`], { encoding: 'utf8' });
    const [small, large] = JSON.parse(generator.stdout) as [string[], string[]];
    expect([...small].sort()).toEqual(committed);
    expect([...large].sort()).toEqual(expected.filter((e) => e.large === true).map((e) => e.file).sort());
  }, 60_000);

  for (const e of expected) {
    it(`${e.file}: ${e.result}, exit ${e.exit}`, async () => {
      const r = await exportWithin(e.large === true ? largeDir : HOSTILE, e.file);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toMatch(/TypeError|RangeError|ReferenceError|is a bug/);
      expect(r.code).toBe(e.exit);
      const summary = /read 1 input: ([\d,]+) spans? in/.exec(r.stderr);
      expect(summary, r.stderr).not.toBeNull();
      const spans = Number(summary![1]!.replaceAll(',', ''));
      if (e.spans !== null) expect(spans).toBe(e.spans);
      for (const line of e.stderr) expect(r.stderr).toContain(line);
      const rejected = /rejected [\d,]+ records?:/.test(r.stderr);
      if (e.result === 'rejected') expect(rejected, r.stderr).toBe(true);
      else expect(rejected, r.stderr).toBe(false);
      if (e.result === 'warning') expect(e.stderr.length, 'a warning is named in expected.json').toBeGreaterThan(0);
      if (spans === 0) expect(rejected, 'an input without spans must say why').toBe(true);
      if (e.exit === 0) expect(JSON.parse(r.stdout)).toHaveProperty('edges');
    }, 60_000);
  }
});
