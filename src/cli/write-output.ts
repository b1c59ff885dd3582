/**
 * Writes a command's output to stdout, or to `--out FILE` through a temporary file and a rename,
 * so a failed run never leaves half a file. The temporary file gets an unguessable name and is
 * created only if nothing is there (a link planted in its place is never followed), and an
 * `--out` that names a symbolic link replaces the link rather than writing through it to wherever
 * it points; the user is told so.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';

export function writeOutput(text: string | Uint8Array, out: string | undefined, io: CliIo): void {
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  const path = isAbsolute(out) ? out : resolve(io.cwd, out);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const link = symlinkTarget(path);
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
    if (link !== null) io.stderr.write(`rollgraph: note: ${out} was a symbolic link to ${link}; replaced the link with the file (${link} is unchanged)\n`);
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${path} (${code ?? (error as Error).message}); does ${dirname(path)} exist?`);
  }
}

function symlinkTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}
