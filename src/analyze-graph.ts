/**
 * From edge records to what every command answers with: the graph, the impact of every edge, and
 * the views reporters render. Apart from reading traces (derive-graph.ts), so commands that read
 * the store do not load the trace readers.
 */
import type { GraphView } from './model.js';
import type { ServiceFacts } from './derive/trace-window.js';
import type { EdgeRecord } from './graph/edge-accumulator.js';
import { type DependencyGraph, buildGraph } from './graph/build-graph.js';
import { toGraphView } from './graph/graph-view.js';
import { profileRollbacks } from './graph/profile-rollbacks.js';
import { type ImpactOverride, type ImpactTags, tagImpacts } from './graph/tag-impacts.js';

/** The graph, the impact of every edge, and the view reporters render, from edge records. */
export interface AnalyzedGraph {
  readonly graph: DependencyGraph;
  readonly tags: ImpactTags;
  /** Nodes with their rollback profiles, edges with their impacts. */
  readonly view: GraphView;
  /** The same without rollback profiles: cheaper, for DOT, Mermaid and the nightly comparison. */
  readonly edgeView: GraphView;
  /** Calls dropped because resolving a virtual name made them reach their own caller. */
  readonly selfCalls: number;
}

export function analyzeGraph(
  records: Iterable<EdgeRecord>,
  services: ReadonlyMap<string, ServiceFacts>,
  options: { readonly override?: ImpactOverride } = {},
): AnalyzedGraph {
  const { graph, selfCalls } = buildGraph(records, services);
  const tags = tagImpacts(graph, { override: options.override });
  // Views are worked out only when a reporter needs them: `impact` and `plan` answer without, and
  // only the JSON export shows a rollback profile per service (one upstream walk per service).
  let view: GraphView | null = null;
  let edgeView: GraphView | null = null;
  return {
    graph,
    tags,
    selfCalls,
    get view() {
      view ??= toGraphView(graph, { tags, profiles: profileRollbacks(graph, tags) });
      return view;
    },
    get edgeView() {
      edgeView ??= view ?? toGraphView(graph, { tags });
      return edgeView;
    },
  };
}
