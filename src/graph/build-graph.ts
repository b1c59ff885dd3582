/**
 * Builds the dependency graph (a graphology multigraph: one edge per caller, callee and call
 * type) from derived edges and what services showed. A virtual node whose name is an
 * instrumented service becomes that service (its server span was sampled away, CONTRACT §2 R3),
 * and a call that thereby reaches its own caller is a self-call (R4), counted, not kept.
 */
import { MultiDirectedGraph } from 'graphology';
import type { CallType, NodeKind } from '../model.js';
import type { ServiceFacts } from '../derive/trace-window.js';
import { type EdgeRecord, createEdgeRecord, edgeKey, mergeEdgeRecord } from './edge-accumulator.js';

export interface NodeAttributes {
  kind: NodeKind;
  /** Versions in first-seen order. */
  versions: string[];
  entrypoint: boolean;
  environments: string[];
}

export type DependencyGraph = MultiDirectedGraph<NodeAttributes, EdgeRecord>;

export interface BuiltGraph {
  readonly graph: DependencyGraph;
  /** Calls dropped because resolving a virtual name made them reach their own caller. */
  readonly selfCalls: number;
}

/** Precedence when one name is used as two kinds of virtual node. */
const KIND_RANK: Record<NodeKind, number> = { service: 0, database: 1, queue: 2, external: 3 };

/** Builds the graph; it takes the records over (they become its edges' attributes, merged in place). */
export function buildGraph(edges: Iterable<EdgeRecord>, services: ReadonlyMap<string, ServiceFacts>): BuiltGraph {
  const graph: DependencyGraph = new MultiDirectedGraph();
  for (const [name, facts] of services) {
    graph.addNode(name, {
      kind: 'service',
      versions: versionsInOrder(facts),
      entrypoint: facts.entrypoint,
      environments: [...facts.environments].sort(),
    });
  }
  let selfCalls = 0;
  for (const record of edges) {
    const from = services.has(record.from) ? 'service' : record.fromKind;
    const to = services.has(record.to) ? 'service' : record.toKind;
    if (record.from === record.to) {
      selfCalls += record.calls;
      continue;
    }
    const type: CallType = record.type === 'external' && to === 'service' ? 'sync' : record.type;
    addVirtualNode(graph, record.from, from);
    addVirtualNode(graph, record.to, to);
    const key = edgeKey(record.from, record.to, type);
    if (graph.hasEdge(key)) {
      mergeEdgeRecord(graph.getEdgeAttributes(key), record);
    } else if (from === record.fromKind && to === record.toKind && type === record.type) {
      graph.addDirectedEdgeWithKey(key, record.from, record.to, record);
    } else {
      const copy = createEdgeRecord(record.from, from, record.to, to, type);
      mergeEdgeRecord(copy, record);
      graph.addDirectedEdgeWithKey(key, record.from, record.to, copy);
    }
  }
  return { graph, selfCalls };
}

function addVirtualNode(graph: DependencyGraph, name: string, kind: NodeKind): void {
  if (!graph.hasNode(name)) {
    graph.addNode(name, { kind, versions: [], entrypoint: false, environments: [] });
  } else if (KIND_RANK[kind] < KIND_RANK[graph.getNodeAttribute(name, 'kind')]) {
    graph.setNodeAttribute(name, 'kind', kind);
  }
}

function versionsInOrder(facts: ServiceFacts): string[] {
  return [...facts.versions.entries()]
    .sort(([va, a], [vb, b]) => {
      const ta = a.firstMs ?? Infinity;
      const tb = b.firstMs ?? Infinity;
      return ta !== tb ? ta - tb : va < vb ? -1 : va > vb ? 1 : 0;
    })
    .map(([version]) => version);
}
