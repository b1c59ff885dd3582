/**
 * Turns the paths a user names into inputs: files, directories (the trace exports inside,
 * recursively, by name: `.json`, `.jsonl`, `.ndjson`, `.csv`, `.pb`, `.binpb`, `.gz`, `.zst`;
 * hidden files skipped; in name order), globs (expanded here, so quoted globs work too), and `-`
 * for stdin. A file named explicitly is read whatever its name. A path that names nothing is
 * an error before anything is read.
 */
import { accessSync, constants, createReadStream, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { InputError, UsageError } from '../errors.js';
import type { TraceInput } from '../derive-graph.js';
import type { CliIo } from './io.js';

const CHUNK_SIZE = 1 << 20;
/** Names of files a directory walk reads; a README or a config beside the exports is not one. */
export const TRACE_FILE_NAME = /\.(json|jsonl|ndjson|csv|pb|binpb|gz|zst)$/i;

/** An input with its size in bytes when known (a file; not stdin), for progress. */
export interface SizedInput extends TraceInput {
  readonly size?: number;
}

export function expandInputs(patterns: readonly string[], io: CliIo): SizedInput[] {
  const inputs: SizedInput[] = [];
  const seen = new Set<string>();
  let stdinUsed = false;
  const addFile = (shown: string, path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    assertReadable(path, shown);
    inputs.push({ name: shown, open: () => openFile(path, shown), size: statOrNull(path)?.size });
  };
  for (const pattern of patterns) {
    if (pattern === '-') {
      if (stdinUsed) throw new UsageError('`-` (stdin) can be given only once');
      stdinUsed = true;
      inputs.push({ name: '-', open: () => io.stdin });
      continue;
    }
    const path = isAbsolute(pattern) ? pattern : resolve(io.cwd, pattern);
    const stat = statOrNull(path);
    if (stat?.isDirectory()) {
      const files = listFiles(path, pattern);
      if (files.length === 0) throw new InputError(`${pattern}: directory holds no trace files (.json, .jsonl, .ndjson, .csv, .pb, .binpb, .gz, .zst)`);
      for (const [shown, full] of files) addFile(shown, full);
    } else if (stat !== null) {
      addFile(pattern, path);
    } else if (isDynamicPattern(pattern)) {
      const matches = globSync(pattern, { cwd: io.cwd, onlyFiles: true, dot: false, absolute: false, followSymbolicLinks: false }).sort();
      if (matches.length === 0) throw new InputError(`${pattern}: no file matches this pattern`);
      for (const match of matches) addFile(match, resolve(io.cwd, match));
    } else {
      throw new InputError(`${pattern}: no such file or directory`);
    }
  }
  return inputs;
}

/** Fails before anything is read, rather than after an hour of reading the other inputs. */
function assertReadable(path: string, shown: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new InputError(`${shown}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function listFiles(dir: string, shownDir: string): [string, string][] {
  const out: [string, string][] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new InputError(`${shownDir}: cannot read directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    const shown = join(shownDir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, shown));
    else if (entry.isFile() && TRACE_FILE_NAME.test(entry.name)) out.push([shown, full]);
  }
  return out;
}

async function* openFile(path: string, shown: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: CHUNK_SIZE });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${shown}: cannot read (${code ?? (error as Error).message})`);
  } finally {
    stream.destroy();
  }
}
