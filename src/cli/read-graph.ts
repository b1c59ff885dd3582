/**
 * What `export`, `impact` and `plan` share: the graph from the store (by default; `--since`
 * narrows the history used) or from `--input` files without touching any store, with the config
 * applied and a one-paragraph summary of what was read on stderr.
 */
import { type Command, Option } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { type AnalyzedGraph, analyzeGraph } from '../analyze-graph.js';
import { DEFAULT_MAX_OPEN_SPANS } from '../derive/window-size.js';
import { type CsvSpanOptions, parseCsvColumns } from '../ingest/read-csv-spans.js';
import { toEdgeRecords, toServiceFacts } from '../graph/convert-tallies.js';
import { buildCoordinatedGraph, collectRevertSet } from '../graph/plan-revert.js';
import type { ImpactTags } from '../graph/tag-impacts.js';
import { dayOf } from '../graph/edge-accumulator.js';
import { toIso } from '../graph/graph-view.js';
import type { CallTally, ServiceTally } from '../model.js';
import { renderSummary } from '../report/render-summary.js';
import type { Store } from '../store/store.js';
import { withBoundedHeapGrowth } from './bounded-heap.js';
import { expandInputs } from './expand-inputs.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';
import { type LoadedConfig, loadConfig } from './load-config.js';
import { openStore } from './open-store.js';
import { countBytes, startProgress, totalSize } from './progress.js';
import { parseDuration } from './parse-duration.js';

export interface InputOptions {
  readonly input?: string[];
  /** Machine output (impact, plan): no progress line. */
  readonly json?: boolean;
  readonly window: number;
  readonly since?: number;
  readonly csvColumns?: CsvSpanOptions;
}

/** Adds `--input`, `--window`, `--since` and `--csv-columns` to a command that reads the graph. */
export function addInputOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-i, --input <path...>', 'read trace files instead of the store: files, directories, globs, or - for stdin (OTLP JSON or protobuf, Jaeger, Zipkin, CSV span tables; gzip or zstd)'),
    )
    .addOption(new Option('--since <duration>', 'use only the last part of the store\u2019s history, e.g. 7d (counted back from its newest span)').argParser(parseDuration('--since')))
    .addOption(addWindowOption())
    .addOption(addCsvColumnsOption());
}

/** `--csv-columns`: the columns of CSV span tables whose header names are not the common ones. */
export function addCsvColumnsOption(): Option {
  return new Option(
    '--csv-columns <mapping>',
    'columns of CSV span tables, e.g. trace=TraceID,span=SpanID,parent=ParentID,service=PodName,operation=OperationName,start=Start,start-unit=us ' +
      '(roles: trace span parent service pod operation start end kind status version environment; see docs/sources/csv-span-tables.md)',
  ).argParser((text: string) => {
    const parsed = parseCsvColumns(text);
    if ('problems' in parsed) throw new UsageError(`--csv-columns: ${parsed.problems.join('; ')}`);
    return parsed.options;
  });
}

export function addWindowOption(): Option {
  return new Option('--window <spans>', 'spans held open for pairing before the oldest traces are finalised')
    .default(DEFAULT_MAX_OPEN_SPANS)
    .argParser(parsePositiveInteger);
}

export interface GraphRead extends Omit<AnalyzedGraph, 'selfCalls'> {
  /** The config file applied, if any. */
  readonly config: LoadedConfig | null;
}

export async function readGraph(command: Command, io: CliIo): Promise<GraphRead> {
  const options = command.optsWithGlobals<GlobalOptions & InputOptions>();
  const config = await loadConfig(options.config, io);
  if (options.input !== undefined && options.input.length > 0) {
    if (options.since !== undefined) throw new UsageError('--since narrows the store\u2019s history; with --input every call in the files counts (drop one of them)');
    return withConfig(await readFiles(options, config, io), config);
  }
  return withConfig(readStore(options, config, io), config);
}

/** Adds the config without touching `view`, which is worked out only when a reporter reads it. */
function withConfig(analyzed: Omit<AnalyzedGraph, 'selfCalls'>, config: LoadedConfig | null): GraphRead {
  return {
    graph: analyzed.graph,
    tags: analyzed.tags,
    get view() {
      return analyzed.view;
    },
    get edgeView() {
      return analyzed.edgeView;
    },
    config,
  };
}

async function readFiles(options: GlobalOptions & InputOptions, config: LoadedConfig | null, io: CliIo): Promise<Omit<AnalyzedGraph, 'selfCalls'>> {
  const inputs = expandInputs(options.input ?? [], io);
  const progress = startProgress(io.stderr, options);
  progress?.start('reading', totalSize(inputs), true);
  // The trace readers load only for --input: reading the store needs none of them.
  const { deriveGraph } = await import('../derive-graph.js');
  const derivation = await withBoundedHeapGrowth(() =>
    deriveGraph(progress === null ? inputs : countBytes(inputs, progress), {
      environment: options.env ?? null,
      maxOpenSpans: options.window,
      csv: options.csvColumns,
      ...config?.deriveOptions,
      onSpan: progress === null ? undefined : () => progress.addSpan(),
    }),
  ).finally(() => progress?.clear());
  io.stderr.write(
    renderSummary({
      stats: derivation.stats,
      services: derivation.services,
      edges: derivation.graph.size,
      rejected: derivation.rejected,
      rejectedCount: derivation.rejectedCount,
      warnings: derivation.warnings,
    }),
  );
  if (derivation.unusable.length > 0) {
    throw new InputError(`nothing usable in ${derivation.unusable.join(', ')}: no span could be read (see the rejected records above)`);
  }
  return derivation;
}

/** The graph from the store's history, restricted to `--since` and `--env` when given. */
function readStore(options: GlobalOptions & InputOptions, config: LoadedConfig | null, io: CliIo): AnalyzedGraph {
  const store = openStore(options, io, true);
  try {
    const newest = store.newestSpanMs();
    const sinceMs = options.since === undefined || newest === null ? null : newest - options.since;
    const analyzed = analyzeCalls(store, sinceMs, options.env, config);
    summarizeStoreRead(store, io, newest, sinceMs, {
      services: analyzed.graph.filterNodes((_node, a) => a.kind === 'service').length,
      edges: analyzed.graph.size,
    });
    return analyzed;
  } finally {
    store.close();
  }
}

function analyzeCalls(store: Store, sinceMs: number | null, env: string | undefined, config: LoadedConfig | null): AnalyzedGraph {
  let calls = store.readCalls(sinceMs === null ? null : dayOf(sinceMs));
  let services = store.readServices(sinceMs);
  if (env !== undefined) ({ calls, services } = inEnvironment(calls, services, env));
  return analyzeGraph(toEdgeRecords(calls).values(), toServiceFacts(services), { override: config?.deriveOptions.override });
}

function summarizeStoreRead(store: Store, io: CliIo, newest: number | null, sinceMs: number | null, counts: { services: number; edges: number }): void {
  const window = sinceMs === null ? 'all of its history' : `history since ${dayOf(sinceMs)}`;
  io.stderr.write(`read the store ${store.path} (${window}, newest span ${toIso(newest) ?? 'none'}): ${counts.services} services, ${counts.edges} edges\n`);
  if (store.countRuns() === 0) io.stderr.write('  the store holds no run yet: `rollgraph nightly INPUT...` or `rollgraph ingest INPUT...` fills it\n');
}

/** What `impact` and `plan` roll back, and the tags they judge a rollback by. */
export interface RollbackQuery {
  readonly targets: readonly string[];
  /** The tags the command will use (default: each service back to its previous version). */
  readonly tagsFor?: (read: GraphRead) => ImpactTags;
}

/** Past this share of the stored edges, reading them all is cheaper than walking the graph. */
const NEIGHBOURHOOD_SHARE = 0.25;

/**
 * The graph `impact` and `plan` need: from the store, only the part a rollback of the targets
 * touches, so a question about one service on a graph of 50,000 edges reads a few hundred of
 * them. The part: every edge into the services that must revert (found by the same upstream
 * walk over coordinated calls the plan makes, one ring of callers at a time), every edge out of
 * them, and every edge into what they call (what a callee served decides its callers' tags).
 * Each edge's tag depends only on the edges into its callee and the services' versions, so the
 * answer equals the one from the whole graph (a test compares them). With --input, --since or
 * --env, or when the walk reaches a quarter of the graph, the whole graph is read.
 */
export async function readGraphAround(command: Command, io: CliIo, query: RollbackQuery): Promise<GraphRead> {
  const options = command.optsWithGlobals<GlobalOptions & InputOptions>();
  if ((options.input !== undefined && options.input.length > 0) || options.since !== undefined || options.env !== undefined) return readGraph(command, io);
  const config = await loadConfig(options.config, io);
  const store = openStore(options, io, true);
  try {
    const newest = store.newestSpanMs();
    const counts = store.countGraph();
    const read = readNeighbourhood(store, config, query, counts.edges * NEIGHBOURHOOD_SHARE) ?? withConfig(analyzeCalls(store, null, undefined, config), config);
    summarizeStoreRead(store, io, newest, null, counts);
    return read;
  } finally {
    store.close();
  }
}

/** The neighbourhood of the targets, or null when it grows past `limit` edges. */
export function readNeighbourhood(store: Store, config: LoadedConfig | null, query: RollbackQuery, limit: number): GraphRead | null {
  const services = toServiceFacts(store.readServices(null));
  const calls = new Map<number, CallTally>();
  const intoRead = new Set<string>();
  // In the order of the edges' ids, as the whole history is read: the graph is built the same way.
  const inOrder = () => [...calls.keys()].sort((a, b) => a - b).map((id) => calls.get(id)!);
  const analyze = (): GraphRead => withConfig(analyzeGraph(toEdgeRecords(inOrder()).values(), services, { override: config?.deriveOptions.override }), config);
  const readInto = (nodes: Iterable<string>): void => {
    const fresh = [...nodes].filter((n) => !intoRead.has(n));
    for (const n of fresh) intoRead.add(n);
    store.readCallsOf('to', fresh, calls);
  };
  let members: ReadonlySet<string> = new Set(query.targets);
  let read: GraphRead;
  for (;;) {
    readInto(members);
    if (calls.size > limit) return null;
    read = analyze();
    const { graph } = read;
    // A name that is no service is the command's to report, from this graph.
    if (!query.targets.every((t) => graph.hasNode(t) && graph.getNodeAttribute(t, 'kind') === 'service')) return read;
    members = collectRevertSet(buildCoordinatedGraph(graph, query.tagsFor?.(read) ?? read.tags), query.targets).set;
    if ([...members].every((m) => intoRead.has(m))) break;
  }
  const before = calls.size;
  store.readCallsOf('from', members, calls);
  const callees = new Set<string>();
  for (const c of calls.values()) if (members.has(c.from)) callees.add(c.to);
  readInto(callees);
  if (calls.size > limit) return null;
  return calls.size === before ? read : analyze();
}

/** Calls and services seen in one environment (the store keeps them all). */
function inEnvironment(calls: CallTally[], services: ServiceTally[], environment: string): { calls: CallTally[]; services: ServiceTally[] } {
  return {
    calls: calls.filter((c) => c.environments.includes(environment)),
    services: services.filter((s) => s.environments.includes(environment)),
  };
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--window must be a positive whole number of spans, got ${JSON.stringify(value)}`);
  return n;
}
