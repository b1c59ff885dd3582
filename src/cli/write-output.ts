/**
 * Writes a command's output to stdout, or to `--out FILE` through a temporary file and a rename,
 * so a failed run never leaves half a file.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';

export function writeOutput(text: string, out: string | undefined, io: CliIo): void {
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  const path = isAbsolute(out) ? out : resolve(io.cwd, out);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${path} (${code ?? (error as Error).message}); does ${dirname(path)} exist?`);
  }
}
