/**
 * Where the store is (`--db FILE`, else `ROLLGRAPH_DB`, else `./rollgraph.db`) and opening it
 * for a command.
 */
import { isAbsolute, resolve } from 'node:path';
import { Store } from '../store/store.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

export const DEFAULT_STORE = 'rollgraph.db';

export function storePath(options: GlobalOptions, io: CliIo): string {
  const path = options.db ?? io.env['ROLLGRAPH_DB'] ?? DEFAULT_STORE;
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

export function openStore(options: GlobalOptions, io: CliIo, readonly: boolean, mustExist = readonly): Store {
  return Store.open(storePath(options, io), { readonly, mustExist, busyTimeoutMs: options.wait });
}

/**
 * Opens the store for writing and runs `write` as one run holding the write lock: all of it
 * lands, or nothing does (an error rolls it back).
 */
export async function writeStore<T>(
  options: GlobalOptions,
  io: CliIo,
  write: (store: Store) => Promise<T> | T,
  { mustExist = false }: { readonly mustExist?: boolean } = {},
): Promise<T> {
  const store = openStore(options, io, false, mustExist);
  try {
    store.begin();
    const result = await write(store);
    store.commit();
    return result;
  } catch (error) {
    store.rollback();
    throw error;
  } finally {
    store.close();
  }
}
