/**
 * Small dependency graphs built inline for the graph functions' tests: edges with operations
 * and the versions that called and served them.
 */
import { MultiDirectedGraph } from 'graphology';
import type { CallType, Impact, NodeKind } from '../../src/model.js';
import type { DependencyGraph } from '../../src/graph/build-graph.js';
import { createEdgeRecord, edgeKey } from '../../src/graph/edge-accumulator.js';
import type { ImpactTag } from '../../src/graph/tag-impacts.js';

export interface OperationSpec {
  calls?: number;
  /** Callee versions that served it. */
  served?: string[];
  /** Caller versions that used it. */
  by?: string[];
}

export interface EdgeSpec {
  from: string;
  to: string;
  type?: CallType;
  operations?: Record<string, OperationSpec>;
}

export function buildTestGraph(nodes: Record<string, { kind?: NodeKind; versions?: string[] }>, edges: EdgeSpec[]): DependencyGraph {
  const graph: DependencyGraph = new MultiDirectedGraph();
  for (const [id, n] of Object.entries(nodes)) {
    graph.addNode(id, { kind: n.kind ?? 'service', versions: n.versions ?? [], entrypoint: false, environments: [] });
  }
  for (const e of edges) {
    for (const id of [e.from, e.to]) if (!graph.hasNode(id)) graph.addNode(id, { kind: 'service', versions: [], entrypoint: false, environments: [] });
    const type = e.type ?? 'sync';
    const record = createEdgeRecord(e.from, graph.getNodeAttribute(e.from, 'kind'), e.to, graph.getNodeAttribute(e.to, 'kind'), type);
    for (const [name, op] of Object.entries(e.operations ?? { call: {} })) {
      const calls = op.calls ?? 1;
      record.calls += calls;
      record.operations.set(name, { calls, calleeVersions: new Set(op.served ?? []), callerVersions: new Set(op.by ?? []) });
      for (const v of op.served ?? []) record.calleeVersions.add(v);
      for (const v of op.by ?? []) record.callerVersions.add(v);
    }
    record.firstMs = 1_764_000_000_000;
    record.lastMs = 1_764_086_400_000;
    graph.addDirectedEdgeWithKey(edgeKey(e.from, e.to, type), e.from, e.to, record);
  }
  return graph;
}

/** Tags every edge with the given impact (by `from->to`), `independent` otherwise. */
export function tagsOf(graph: DependencyGraph, impacts: Record<string, Impact>): Map<string, ImpactTag> {
  const tags = new Map<string, ImpactTag>();
  graph.forEachEdge((key, edge) => {
    const impact = impacts[`${edge.from}->${edge.to}`] ?? 'independent';
    tags.set(key, { impact, confidence: 'observed', reason: `${edge.from} -> ${edge.to} is ${impact}`, forcing: impact === 'coordinated' ? [...edge.operations.keys()][0] ?? null : null });
  });
  return tags;
}
