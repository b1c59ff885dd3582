/**
 * Progress of a long read on one terminal line: bytes read (of the total, when every input's
 * size is known), spans and spans per second, and the time left estimated from the byte rate.
 * Shown only when stderr is a terminal and neither --json nor --quiet is given (CONTRACT §5);
 * redrawn at most four times a second with `\r`, and erased before anything else is written.
 */
import type { TraceInput } from '../derive-graph.js';
import type { SizedInput } from './expand-inputs.js';
import type { Writable } from './io.js';

export interface ProgressState {
  /** What is being done: `reading`, `hashing`. */
  readonly verb: string;
  readonly bytes: number;
  /** The size of all inputs, or null when one of them (stdin) has no known size. */
  readonly totalBytes: number | null;
  /** Spans read so far, or null when this step reads none (hashing). */
  readonly spans: number | null;
  readonly elapsedMs: number;
}

/** Waits this long before the first line, so a quick command never shows one. */
const FIRST_AFTER_MS = 500;
const REDRAW_EVERY_MS = 250;

/** `reading 45.2 MB of 120.0 MB (38%), 312,004 spans (104,001/s), about 12s left` */
export function formatProgress(state: ProgressState): string {
  const { bytes, totalBytes, spans, elapsedMs } = state;
  const seconds = elapsedMs / 1000;
  let line = `${state.verb} ${formatBytes(bytes)}`;
  if (totalBytes !== null && totalBytes > 0) line += ` of ${formatBytes(totalBytes)} (${Math.min(100, Math.floor((bytes / totalBytes) * 100))}%)`;
  if (spans !== null) {
    line += `, ${spans.toLocaleString('en-US')} span${spans === 1 ? '' : 's'}`;
    if (seconds >= 1) line += ` (${Math.round(spans / seconds).toLocaleString('en-US')}/s)`;
  }
  if (totalBytes !== null && bytes > 0 && seconds >= 1 && bytes < totalBytes) {
    line += `, about ${formatDuration(((totalBytes - bytes) / bytes) * seconds)} left`;
  }
  return line;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `12s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line on a terminal: counts bytes and spans, redraws now and then, erases itself. */
export class ProgressLine {
  private bytes = 0;
  private spans: number | null = null;
  private verb = 'reading';
  private totalBytes: number | null = null;
  private startedAt: number;
  private drawnAt = -Infinity;
  private shown = false;

  constructor(
    private readonly stream: Writable,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** Starts a step over inputs of `totalBytes` (null: unknown); counts spans when `countsSpans`. */
  start(verb: string, totalBytes: number | null, countsSpans: boolean): void {
    this.verb = verb;
    this.totalBytes = totalBytes;
    this.bytes = 0;
    this.spans = countsSpans ? 0 : null;
    this.startedAt = this.now();
    this.drawnAt = -Infinity;
  }

  addBytes(count: number): void {
    this.bytes += count;
    this.redraw();
  }

  /** Called per span: cheap, it redraws only every few thousand spans at most. */
  addSpan(): void {
    if (this.spans === null) return;
    this.spans++;
    if ((this.spans & 0xfff) === 0) this.redraw();
  }

  /** Erases the line, e.g. before a notice or at the end; the next count draws it again. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\u001b[2K');
    this.shown = false;
  }

  private redraw(): void {
    const t = this.now();
    const elapsedMs = t - this.startedAt;
    if (elapsedMs < FIRST_AFTER_MS || t - this.drawnAt < REDRAW_EVERY_MS) return;
    this.drawnAt = t;
    const line = formatProgress({ verb: this.verb, bytes: this.bytes, totalBytes: this.totalBytes, spans: this.spans, elapsedMs });
    const columns = this.stream.columns ?? 0;
    const width = (columns > 0 ? columns : 80) - 1;
    this.stream.write(`\r\u001b[2K${fitLine(line, width)}`);
    this.shown = true;
  }
}

/** `line` in `width` characters: its last clauses dropped first, so no wrap breaks the `\r`. */
function fitLine(line: string, width: number): string {
  const clauses = line.split(', ');
  while (clauses.length > 1 && clauses.join(', ').length > width) clauses.pop();
  return clauses.join(', ').slice(0, width);
}

/** A progress line on stderr when it is a terminal and the command prints for people, else null. */
export function startProgress(stderr: Writable, options: { readonly json?: boolean; readonly quiet?: boolean }): ProgressLine | null {
  return stderr.isTTY === true && options.json !== true && options.quiet !== true ? new ProgressLine(stderr) : null;
}

/** The inputs with their bytes counted into `progress` as they are read. */
export function countBytes(inputs: readonly TraceInput[], progress: ProgressLine): TraceInput[] {
  return inputs.map((input) => ({
    name: input.name,
    async *open() {
      for await (const chunk of input.open()) {
        progress.addBytes(chunk.length);
        yield chunk;
      }
    },
  }));
}

/** The size of all inputs, or null when one has none known (stdin). */
export function totalSize(inputs: readonly SizedInput[]): number | null {
  let total = 0;
  for (const { size } of inputs) {
    if (size === undefined) return null;
    total += size;
  }
  return total;
}
