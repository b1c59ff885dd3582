/**
 * The data the HTML report embeds, and how it is built from the graph view: what the browser
 * code (src/viewer/) reads. Node positions come in from the layout. Edges keep what the revert
 * plan reads (operations with the versions that served and used them, caller versions, times,
 * the impact tag and its forcing operation), so the page works out a service's plan with the
 * same planRevert as `rollgraph plan`, on click: precomputing a plan per service would make a
 * 2,000-service report hundreds of megabytes (revert sets there reach hundreds of services).
 * Edges refer to nodes and environments by index. Only types and pure functions here.
 */
import type { CallType, Confidence, GraphView, Impact, NodeKind, RollbackProfile } from '../model.js';

export interface ReportNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly x: number;
  readonly y: number;
  /** First-seen order, as in the view. */
  readonly versions: readonly string[];
  readonly entrypoint: boolean;
  /** Indexes into `ReportData.environments`. */
  readonly environments: readonly number[];
  readonly rollback?: RollbackProfile;
}

/** [name, calls, callee versions that served it, caller versions that used it] */
export type ReportOperation = readonly [string, number, readonly string[], readonly string[]];

export interface ReportEdge {
  /** Indexes into `ReportData.nodes`. */
  readonly from: number;
  readonly to: number;
  readonly type: CallType;
  readonly impact?: Impact;
  readonly confidence?: Confidence;
  readonly reason?: string;
  /** For a coordinated call: the operation that forces the caller to revert with the callee. */
  readonly forcing?: string | null;
  readonly calls: number;
  readonly errors: number;
  /** Most called first. */
  readonly operations: readonly ReportOperation[];
  readonly via: string | null;
  readonly callerVersions: readonly string[];
  readonly calleeVersions: readonly string[];
  readonly environments: readonly number[];
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** New since the accepted baseline. */
  readonly isNew: boolean;
}

export interface ReportData {
  readonly title: string;
  readonly environments: readonly string[];
  readonly nodes: readonly ReportNode[];
  readonly edges: readonly ReportEdge[];
  /** How many edges are new (0 when the report was made without a baseline comparison). */
  readonly newEdgeCount: number;
  /**
   * Edge indexes in the order the dependency graph holds its edges: plans list callers in that
   * order, so the page rebuilds the graph in it and its plans read word for word like
   * `rollgraph plan`'s.
   */
  readonly graphOrder: readonly number[];
}

export interface EdgeId {
  readonly from: string;
  readonly to: string;
  readonly type: CallType;
}

export interface GraphEdge extends EdgeId {
  /** For a coordinated call: the operation that forces the caller to revert with the callee. */
  readonly forcing: string | null;
}

export interface ReportDataInput {
  readonly title: string;
  readonly view: GraphView;
  readonly positions: ReadonlyMap<string, { readonly x: number; readonly y: number }>;
  /** Every edge in the dependency graph's order, with its tag's forcing operation. */
  readonly graphEdges?: readonly GraphEdge[];
  readonly newEdges?: readonly EdgeId[];
}

export function toReportData(input: ReportDataInput): ReportData {
  const { view } = input;
  const environments = [...new Set([...view.nodes.flatMap((n) => n.environments), ...view.edges.flatMap((e) => e.environments)])].sort(compareText);
  const envIndex = new Map(environments.map((e, i) => [e, i]));
  const nodeIndex = new Map(view.nodes.map((n, i) => [n.id, i]));
  const newKeys = new Set((input.newEdges ?? []).map((e) => edgeId(e)));
  const forcing = new Map((input.graphEdges ?? []).filter((e) => e.forcing !== null).map((e) => [edgeId(e), e.forcing]));
  const nodes = view.nodes.map((node): ReportNode => {
    const position = input.positions.get(node.id) ?? { x: 0, y: 0 };
    return {
      id: node.id,
      kind: node.kind,
      x: position.x,
      y: position.y,
      versions: node.versions,
      entrypoint: node.entrypoint,
      environments: node.environments.map((e) => envIndex.get(e)!),
      ...(node.rollback === undefined ? {} : { rollback: node.rollback }),
    };
  });
  const edges = view.edges
    .filter((edge) => nodeIndex.has(edge.from) && nodeIndex.has(edge.to))
    .map((edge): ReportEdge => {
      const key = edgeId(edge);
      return {
        from: nodeIndex.get(edge.from)!,
        to: nodeIndex.get(edge.to)!,
        type: edge.type,
        ...(edge.impact === undefined ? {} : { impact: edge.impact }),
        ...(edge.confidence === undefined ? {} : { confidence: edge.confidence }),
        ...(edge.reason === undefined ? {} : { reason: edge.reason }),
        ...(forcing.has(key) ? { forcing: forcing.get(key)! } : {}),
        calls: edge.calls,
        errors: edge.errors,
        operations: edge.operations.map((o): ReportOperation => [o.name, o.calls, o.calleeVersions, o.callerVersions]),
        via: edge.via,
        callerVersions: edge.callerVersions,
        calleeVersions: edge.calleeVersions,
        environments: edge.environments.map((e) => envIndex.get(e)!),
        firstMs: edge.firstSeen === null ? null : Date.parse(edge.firstSeen),
        lastMs: edge.lastSeen === null ? null : Date.parse(edge.lastSeen),
        isNew: newKeys.has(key),
      };
    });
  const edgeIndex = new Map(view.edges.filter((e) => nodeIndex.has(e.from) && nodeIndex.has(e.to)).map((e, i) => [edgeId(e), i]));
  const graphOrder = (input.graphEdges ?? []).map((e) => edgeIndex.get(edgeId(e))).filter((i): i is number => i !== undefined);
  const listed = new Set(graphOrder);
  for (let i = 0; i < edges.length; i += 1) if (!listed.has(i)) graphOrder.push(i);
  return { title: input.title, environments, nodes, edges, newEdgeCount: edges.filter((e) => e.isNew).length, graphOrder };
}

function edgeId(edge: EdgeId): string {
  return JSON.stringify([edge.from, edge.to, edge.type]);
}

/** Code-unit order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
