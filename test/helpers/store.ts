/** Watching a store and the runs that write it, in the store's tests. */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { spawnCli } from './cli.js';

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

/** The store's graph as `rollgraph export --format json` prints it (the built binary, as a user runs it). */
export function exportJson(path: string): string {
  const r = spawnCli(['--db', path, 'export', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Replaces the store at `to` (and any `-wal`, `-shm` beside it) with a copy of the closed store at `from`, its WAL included. */
export function copyStore(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(to + suffix, { force: true });
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}
