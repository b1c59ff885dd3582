/** Watching a store and the runs that write it, in the store's tests. */
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Whether another connection holds the store's write lock (probed without waiting). */
export function writeLockHeld(path: string): boolean {
  const conn = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    conn.exec('BEGIN IMMEDIATE');
    conn.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    conn.close();
  }
}
