/**
 * One run into the store, shared by `ingest` and `nightly`: hash every input, skip content the
 * store already holds (so re-running a nightly job is harmless), read the rest through one
 * pairing window, and add their calls, by edge and day, with the services they showed. The
 * caller holds the store's write lock, so the run lands whole or not at all.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { CallsRead, TraceInput } from '../derive-graph.js';
import { buildGraph } from '../graph/build-graph.js';
import type { CsvSpanOptions } from '../ingest/read-csv-spans.js';
import { toCallTally, toEdgeRecords, toServiceFacts, toServiceTally } from '../graph/convert-tallies.js';
import { renderSummary } from '../report/render-summary.js';
import { plural } from '../report/text-format.js';
import type { Store } from '../store/store.js';
import type { SizedInput } from './expand-inputs.js';
import type { FetchedSource } from './fetch-source.js';
import type { CliIo } from './io.js';
import type { LoadedConfig } from './load-config.js';
import { type ProgressLine, countBytes, totalSize } from './progress.js';

export interface IngestResult {
  readonly runId: number;
  readonly read: CallsRead;
  /** Inputs skipped as already ingested, with the run that holds them. */
  readonly skipped: readonly { readonly name: string; readonly runId: number }[];
  /** Edge records written (per edge and day). */
  readonly calls: number;
}

interface HashedInput {
  readonly input: TraceInput;
  readonly digest: () => { sha256: string; bytes: number };
}

export async function ingestRun(
  store: Store,
  inputs: readonly SizedInput[],
  options: {
    readonly command: string;
    readonly aggregated?: readonly FetchedSource[];
    readonly maxOpenSpans: number;
    readonly csv?: CsvSpanOptions;
    readonly config: LoadedConfig | null;
    /** Where to show progress, when on a terminal. */
    readonly progress?: ProgressLine | null;
  },
  io: CliIo,
): Promise<IngestResult> {
  const startedAt = new Date().toISOString();
  const hashed: HashedInput[] = [];
  const skipped: { name: string; runId: number; sha256: string; bytes: number }[] = [];
  const progress = options.progress ?? null;
  progress?.start('hashing', totalSize(inputs.filter((input) => input.name !== '-')), false);
  for (const input of inputs) {
    if (input.name === '-') {
      hashed.push(hashWhileReading(input)); // stdin can be read once only
      continue;
    }
    const { sha256, bytes } = await hashWhole(progress === null ? input : countBytes([input], progress)[0]!).catch((error: unknown) => {
      progress?.clear();
      throw error;
    });
    const earlier = store.findIngested(sha256);
    if (earlier !== null) {
      skipped.push({ name: input.name, runId: earlier.runId, sha256, bytes });
      progress?.clear();
      io.stderr.write(`skipped ${input.name}: the store already holds this content (run ${earlier.runId}, ${earlier.name})\n`);
    } else {
      hashed.push({ input, digest: () => ({ sha256, bytes }) });
    }
  }
  // Aggregated answers (--from) are skipped like files when the store already holds the same one.
  const aggregated = (options.aggregated ?? []).filter((source) => {
    const earlier = store.findIngested(source.sha256);
    if (earlier === null) return true;
    skipped.push({ name: source.name, runId: earlier.runId, sha256: source.sha256, bytes: source.bytes });
    io.stderr.write(`skipped ${source.name}: the store already holds this answer (run ${earlier.runId}, ${earlier.name})\n`);
    return false;
  });
  progress?.clear();
  const toRead = hashed.map((h) => h.input);
  progress?.start('reading', totalSize(toRead), true);
  // The trace readers load when a run reads traces, not when rollgraph starts.
  const { readCalls } = await import('../derive-graph.js');
  let read = await readCalls(progress === null ? toRead : countBytes(toRead, progress), {
    maxOpenSpans: options.maxOpenSpans,
    byDay: true,
    csv: options.csv,
    ...options.config?.deriveOptions,
    onSpan: progress === null ? undefined : () => progress.addSpan(),
  }).finally(() => progress?.clear());
  // stdin is hashed as it is read: only now can it turn out to be content the store already holds.
  const piped = hashed.find((h) => h.input.name === '-');
  const earlier = piped === undefined ? null : store.findIngested(piped.digest().sha256);
  if (piped !== undefined && earlier !== null) {
    if (hashed.length > 1) {
      throw new InputError(
        `stdin holds content the store already has (run ${earlier.runId}); its spans are mixed with the other inputs, so nothing was stored: pass it as a file to have it skipped`,
      );
    }
    io.stderr.write(`skipped -: the store already holds this content (run ${earlier.runId}, ${earlier.name})\n`);
    skipped.push({ name: '-', runId: earlier.runId, ...piped.digest() });
    hashed.length = 0;
    read = await readCalls([], { maxOpenSpans: options.maxOpenSpans, byDay: true });
  }
  const tallies = [...read.edges.edges.values()].map((record) => toCallTally(record, read.edges.days.get(record) ?? '')).concat(aggregated.flatMap((a) => a.edges.calls));
  const aggregatedServices = aggregated.flatMap((a) => a.edges.services);
  const allServices = new Map([...toServiceFacts(aggregatedServices), ...read.services]);
  const built = buildGraph(toEdgeRecords(tallies).values(), allServices);
  const edges = built.graph.size;
  // With aggregated sources alone there are no spans to summarise: their own lines below say what was read.
  const spanSummary = read.stats.files > 0 || aggregated.length === 0;
  if (spanSummary) {
    io.stderr.write(
      renderSummary({
        // As export counts them: calls that reached their own caller once a virtual name resolved, too.
        stats: { ...read.stats, selfCalls: read.stats.selfCalls + built.selfCalls },
        services: allServices.size,
        edges,
        rejected: read.rejected,
        rejectedCount: read.rejectedCount,
        warnings: read.warnings,
      }),
    );
  }
  for (const a of aggregated) {
    const calls = a.edges.calls.reduce((n, t) => n + t.calls, 0);
    io.stderr.write(
      `read ${plural(a.edges.calls.length, 'edge')} (${plural(calls, 'call')}, aggregated counts without operations) from ${a.name}\n`,
    );
    for (const warning of a.edges.warnings) io.stderr.write(`warning: ${warning}\n`);
  }
  if (read.unusable.length > 0) {
    throw new InputError(`nothing usable in ${read.unusable.join(', ')}: no span could be read (see the rejected records above); the store is unchanged`);
  }
  const runId = store.recordRun({
    command: options.command,
    startedAt,
    finishedAt: new Date().toISOString(),
    status: hashed.length === 0 && aggregated.length === 0 ? 'skipped' : 'ok',
    spans: read.stats.spans,
    traces: read.stats.traces,
    calls: tallies.reduce((n, t) => n + t.calls, 0),
    rejected: read.rejectedCount,
    warnings: read.warnings,
    inputs: [
      ...hashed.map((h) => ({ name: h.input.name, ...h.digest(), spans: read.spansByInput.get(h.input.name) ?? 0, skipped: false })),
      ...aggregated.map((a) => ({ name: a.name, sha256: a.sha256, bytes: a.bytes, spans: 0, skipped: false })),
      ...skipped.map((s) => ({ name: s.name, sha256: s.sha256, bytes: s.bytes, spans: 0, skipped: true })),
    ],
  });
  store.addCalls(runId, tallies);
  store.addServices(runId, [...read.services].map(([name, facts]) => toServiceTally(name, facts)).concat(aggregatedServices));
  return { runId, read, skipped, calls: tallies.length };
}

async function hashWhole(input: TraceInput): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of input.open()) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function hashWhileReading(input: TraceInput): HashedInput {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | null = null;
  return {
    input: {
      name: input.name,
      async *open() {
        for await (const chunk of input.open()) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
    },
    digest: () => {
      digest ??= hash.digest('hex');
      return { sha256: digest, bytes };
    },
  };
}
