/**
 * From trace inputs to the dependency graph in one pass: each input is read as a stream, its
 * spans paired in one window shared by all inputs (a parent in another file still pairs), calls
 * folded into edges, and the graph built once every input is read.
 */
import type { Call, CallType, GraphView, IngestStats, Rejection, Span, SpanResource } from './model.js';
import { readInput } from './ingest/read-input.js';
import type { CsvSpanOptions } from './ingest/read-csv-spans.js';
import { type IngestLimits, howToRaise, resolveLimits } from './ingest/limits.js';
import type { SpanSink } from './ingest/span-sink.js';
import { type ServiceFacts, TraceWindow, type TraceWindowOptions } from './derive/trace-window.js';
import { EdgeAccumulator } from './graph/edge-accumulator.js';
import type { DependencyGraph } from './graph/build-graph.js';
import type { ImpactOverride, ImpactTags } from './graph/tag-impacts.js';
import { analyzeGraph } from './analyze-graph.js';

export { type AnalyzedGraph, analyzeGraph } from './analyze-graph.js';

/** A named source of bytes: a file, stdin, or anything a library user streams. */
export interface TraceInput {
  /** Shown in messages: the path, or `-` for stdin. */
  readonly name: string;
  open(): AsyncIterable<Uint8Array>;
}

export interface DeriveOptions extends TraceWindowOptions {
  /** Maps a node name (a service, pod or host name) to the service it stands for. */
  readonly aliasOf?: (name: string) => string;
  /** Calls to drop before they become edges (health checks, probes). */
  readonly isIgnored?: (call: { from: string; to: string; type: CallType; operation: string }) => boolean;
  /** Impact rules checked before the default ones (from the config file). */
  readonly override?: ImpactOverride;
  /** Rejections kept with their details; the rest are only counted. */
  readonly maxRejections?: number;
  /** The columns of CSV span tables, when their header names are not the common ones. */
  readonly csv?: CsvSpanOptions;
  /** Bounds on hostile input (the config file's `limits`; docs/limits.md); defaults for those not given. */
  readonly limits?: Partial<IngestLimits>;
  /** Called after each input, e.g. for progress. */
  readonly onInputDone?: (input: TraceInput, spans: number) => void;
  /** Called for every span read, e.g. for progress. */
  readonly onSpan?: () => void;
}

export interface Derivation {
  readonly graph: DependencyGraph;
  /** The impact of every edge, by edge key. */
  readonly tags: ImpactTags;
  /** The graph with impacts and rollback profiles, for reporters. */
  readonly view: GraphView;
  /** The same without rollback profiles. */
  readonly edgeView: GraphView;
  readonly stats: IngestStats;
  readonly warnings: readonly string[];
  readonly rejected: readonly Rejection[];
  readonly rejectedCount: number;
  /** Inputs from which not one span could be read. */
  readonly unusable: readonly string[];
  readonly services: number;
  /** Environments seen on spans, whether or not `--env` selected them. */
  readonly environments: readonly string[];
}

export const DEFAULT_MAX_REJECTIONS = 1000;

/** What reading inputs gave, before the graph is built: calls folded into edges, and the rest. */
export interface CallsRead {
  readonly edges: EdgeAccumulator;
  readonly services: ReadonlyMap<string, ServiceFacts>;
  readonly stats: IngestStats;
  readonly warnings: readonly string[];
  readonly rejected: readonly Rejection[];
  readonly rejectedCount: number;
  readonly unusable: readonly string[];
  /** Spans read from each input, by name. */
  readonly spansByInput: ReadonlyMap<string, number>;
  readonly environments: readonly string[];
}

/**
 * Reads every input through one pairing window and folds the calls into edges (one record per
 * edge, or per edge and day with `byDay`, as the store keeps them).
 */
export async function readCalls(inputs: readonly TraceInput[], options: DeriveOptions & { readonly byDay?: boolean } = {}): Promise<CallsRead> {
  const edges = new EdgeAccumulator(options.byDay ?? false);
  const { aliasOf, isIgnored, onSpan } = options;
  let ignoredCalls = 0;
  const limits = resolveLimits(options.limits);
  const window = new TraceWindow(
    (call: Call) => {
      const named = aliasOf === undefined ? call : { ...call, from: aliasOf(call.from), to: aliasOf(call.to) };
      if (isIgnored?.(named)) ignoredCalls++;
      else edges.add(named);
    },
    { ...options, maxSpansPerTrace: limits.maxSpansPerTrace },
  );
  /** The input the first span over limits.maxSpansPerTrace came from. */
  let oversizedInput: string | null = null;
  let currentInput = '';
  const aliased = new Map<SpanResource, SpanResource>();
  const resourceOf = (resource: SpanResource): SpanResource => {
    let mapped = aliased.get(resource);
    if (mapped === undefined) {
      const service = aliasOf!(resource.service);
      mapped = service === resource.service ? resource : { ...resource, service };
      aliased.set(resource, mapped);
    }
    return mapped;
  };
  const maxRejections = options.maxRejections ?? DEFAULT_MAX_REJECTIONS;
  const notices = new Map<string, { files: string[]; count: number | null }>();
  const rejected: Rejection[] = [];
  let rejectedCount = 0;
  const unusable: string[] = [];
  const spansByInput = new Map<string, number>();
  let spansOfInput = 0;
  const sink: SpanSink = {
    span(span: Span) {
      spansOfInput++;
      onSpan?.();
      window.add(aliasOf === undefined ? span : { ...span, resource: resourceOf(span.resource) });
      if (oversizedInput === null && window.oversized.ignoredSpans > 0) oversizedInput = currentInput;
    },
    reject(rejection: Rejection) {
      rejectedCount++;
      if (rejected.length < maxRejections) rejected.push(rejection);
    },
    warn(file: string, message: string, count?: number) {
      const notice = notices.get(message);
      if (notice === undefined) notices.set(message, { files: [file], count: count ?? null });
      else {
        if (!notice.files.includes(file)) notice.files.push(file);
        if (count !== undefined) notice.count = (notice.count ?? 0) + count;
      }
    },
  };
  for (const input of inputs) {
    spansOfInput = 0;
    currentInput = input.name;
    await readInput(input.open(), input.name, sink, { csv: options.csv, limits });
    if (spansOfInput === 0) unusable.push(input.name);
    spansByInput.set(input.name, spansOfInput);
    options.onInputDone?.(input, spansOfInput);
  }
  window.finish();
  const warnings = [...notices].map(([message, { files, count }]) => formatNotice(message, files, count));
  const { oversized } = window;
  if (oversized.ignoredSpans > 0) {
    warnings.push(
      `traces with more than limits.maxSpansPerTrace (${limits.maxSpansPerTrace.toLocaleString('en-US')}) spans: ` +
        `${oversized.ignoredSpans.toLocaleString('en-US')} spans beyond it ignored in ${oversized.traces.toLocaleString('en-US')} ` +
        `trace${oversized.traces === 1 ? '' : 's'} (the first: trace ${oversized.firstTraceId} in ${oversizedInput}); ${howToRaise('maxSpansPerTrace')}`,
    );
  }
  const environments = [...window.environmentsSeen].sort();
  if (options.environment != null && window.services.size === 0 && inputs.length > 0) {
    warnings.push(
      `no span has deployment.environment.name=${options.environment}` +
        (environments.length > 0 ? ` (environments seen: ${environments.join(', ')})` : ' (no span names an environment)'),
    );
  }
  const stats: IngestStats = { files: inputs.length, ...window.stats, ignoredCalls };
  return { edges, services: window.services, stats, warnings, rejected, rejectedCount, unusable, spansByInput, environments };
}

export async function deriveGraph(inputs: readonly TraceInput[], options: DeriveOptions = {}): Promise<Derivation> {
  const read = await readCalls(inputs, options);
  const analyzed = analyzeGraph(read.edges.edges.values(), read.services, options);
  const { graph, tags, selfCalls } = analyzed;
  return {
    graph,
    tags,
    get view() {
      return analyzed.view;
    },
    get edgeView() {
      return analyzed.edgeView;
    },
    stats: { ...read.stats, selfCalls: read.stats.selfCalls + selfCalls },
    warnings: read.warnings,
    rejected: read.rejected,
    rejectedCount: read.rejectedCount,
    unusable: read.unusable,
    services: graph.filterNodes((_node, a) => a.kind === 'service').length,
    environments: read.environments,
  };
}

const NAMED_FILES = 3;

function formatNotice(message: string, files: readonly string[], count: number | null): string {
  const named = files.slice(0, NAMED_FILES).join(', ') + (files.length > NAMED_FILES ? ` and ${files.length - NAMED_FILES} more` : '');
  return count === null ? `${message}: ${named}` : `${message}: ${count.toLocaleString('en-US')} in ${named}`;
}
