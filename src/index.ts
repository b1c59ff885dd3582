/**
 * rollgraph as a library: derive the service dependency graph from OpenTelemetry trace exports
 * and render it. The command line is a thin shell over these functions.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { deriveGraph, renderDot } from 'rollgraph';
 *
 * const { view, stats } = await deriveGraph([
 *   { name: 'traces.jsonl', open: () => createReadStream('traces.jsonl') },
 * ]);
 * console.log(renderDot(view), stats.spans);
 * ```
 * @packageDocumentation
 */

export type * from './model.js';
export { EXIT_FAILED, EXIT_OK, EXIT_POLICY, InputError, StoreError, UsageError, UserError, isUserError } from './errors.js';

/** Reads trace inputs and derives the dependency graph (CONTRACT §2). */
export { deriveGraph, DEFAULT_MAX_REJECTIONS, type Derivation, type DeriveOptions, type TraceInput } from './derive-graph.js';
/** Reads one input of any supported format (OTLP JSON or protobuf, Jaeger, Zipkin, CSV span tables; gzip or zstd) into a sink. */
export { readInput } from './ingest/read-input.js';
export type { SpanSink } from './ingest/span-sink.js';
/** Pairs spans into calls (R1-R6) in a bounded window of open traces. */
export { TraceWindow, DEFAULT_MAX_OPEN_SPANS, type ServiceFacts, type TraceWindowOptions } from './derive/trace-window.js';
export { EdgeAccumulator, type EdgeRecord } from './graph/edge-accumulator.js';
export { buildGraph, type BuiltGraph, type DependencyGraph, type NodeAttributes } from './graph/build-graph.js';
export { toGraphView, toEdgeView, type ViewAnnotations } from './graph/graph-view.js';

/** Rollback impact of every edge (CONTRACT §3) and the revert plan (CONTRACT §4). */
export {
  tagImpacts,
  collectServedOperations,
  rollbackVersions,
  type ImpactTag,
  type ImpactTags,
  type ImpactOptions,
  type ImpactOverride,
} from './graph/tag-impacts.js';
export { classifyOperation, type Effect } from './graph/classify-operation.js';
export { planRevert, buildCoordinatedGraph, collectRevertSet, type PlanOptions } from './graph/plan-revert.js';
export { describeImpact, type ImpactQuery } from './graph/describe-impact.js';
export { profileRollbacks } from './graph/profile-rollbacks.js';

/** The config file: parse (every problem reported) and compile into matchers. */
export { parseConfig, formatOf, type ParsedConfig, type ConfigFormat } from './config/parse-config.js';
export { compileConfig, globToRegExp, type CompiledConfig } from './config/compile-config.js';
export type { Config, ImpactRule, IgnoreRule, Alias } from './config/config-schema.js';

/** Reporters: pure functions from a view to text. */
export { renderDot } from './report/render-dot.js';
export { renderMermaid, renderMermaidMarkdown } from './report/render-mermaid.js';
export { renderJson } from './report/render-json.js';
export { renderSummary, formatRejection, type SummaryView } from './report/render-summary.js';
export { renderPlanText } from './report/render-plan-text.js';
export { renderPlanMarkdown } from './report/render-plan-markdown.js';
export { renderImpactText } from './report/render-impact-text.js';
