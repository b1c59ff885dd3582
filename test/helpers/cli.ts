/**
 * Runs the CLI in-process with captured streams, or spawns the built binary as a user would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/rollgraph.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink() {
  let text = '';
  return {
    stream: { write: (s: string) => ((text += s), true), isTTY: false },
    text: () => text,
  };
}

export async function runCli(argv: string[], options: { cwd?: string; stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const input = options.stdin === undefined ? Buffer.alloc(0) : Buffer.from(options.stdin);
  const code = await main(argv, {
    stdin: (async function* () {
      if (input.length > 0) yield input;
    })(),
    stdout: out.stream,
    stderr: err.stream,
    env: options.env ?? {},
    cwd: options.cwd ?? ROOT,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Spawns `bin/rollgraph.js` (built from dist/) exactly as a user runs it. */
export function spawnCli(argv: string[], options: { cwd?: string; stdin?: string | Buffer } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd: options.cwd ?? ROOT,
    input: options.stdin,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 28, // a large graph's export
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'rollgraph-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
