/**
 * What `export`, `impact` and `plan` share: the graph from the store (by default; `--since`
 * narrows the history used) or from `--input` files without touching any store, with the config
 * applied and a one-paragraph summary of what was read on stderr.
 */
import { type Command, Option } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { type AnalyzedGraph, analyzeGraph, deriveGraph } from '../derive-graph.js';
import { DEFAULT_MAX_OPEN_SPANS } from '../derive/trace-window.js';
import { toEdgeRecords, toServiceFacts } from '../graph/convert-tallies.js';
import { dayOf } from '../graph/edge-accumulator.js';
import { toIso } from '../graph/graph-view.js';
import type { CallTally, ServiceTally } from '../model.js';
import { renderSummary } from '../report/render-summary.js';
import { expandInputs } from './expand-inputs.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';
import { type LoadedConfig, loadConfig } from './load-config.js';
import { openStore } from './open-store.js';
import { parseDuration } from './parse-duration.js';

export interface InputOptions {
  readonly input?: string[];
  readonly window: number;
  readonly since?: number;
}

/** Adds `--input`, `--window` and `--since` to a command that reads the graph. */
export function addInputOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-i, --input <path...>', 'read trace files instead of the store: files, directories, globs, or - for stdin (OTLP/JSON, JSON Lines, gzip)'),
    )
    .addOption(new Option('--since <duration>', 'use only the last part of the store\u2019s history, e.g. 7d (counted back from its newest span)').argParser(parseDuration('--since')))
    .addOption(addWindowOption());
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
  const config = loadConfig(options.config, io);
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
  const derivation = await deriveGraph(inputs, { environment: options.env ?? null, maxOpenSpans: options.window, ...config?.deriveOptions });
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
    let calls = store.readCalls(sinceMs === null ? null : dayOf(sinceMs));
    let services = store.readServices(sinceMs);
    if (options.env !== undefined) ({ calls, services } = inEnvironment(calls, services, options.env));
    const analyzed = analyzeGraph(toEdgeRecords(calls).values(), toServiceFacts(services), { override: config?.deriveOptions.override });
    const window = sinceMs === null ? 'all of its history' : `history since ${dayOf(sinceMs)}`;
    io.stderr.write(
      `read the store ${store.path} (${window}, newest span ${toIso(newest) ?? 'none'}): ` +
        `${analyzed.graph.filterNodes((_node, a) => a.kind === 'service').length} services, ${analyzed.graph.size} edges\n`,
    );
    if (store.countRuns() === 0) io.stderr.write('  the store holds no run yet: `rollgraph nightly INPUT...` or `rollgraph ingest INPUT...` fills it\n');
    return analyzed;
  } finally {
    store.close();
  }
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
