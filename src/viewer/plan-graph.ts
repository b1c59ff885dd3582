/**
 * The dependency graph and impact tags rebuilt from the report's data, for planRevert: the page
 * works out a service's revert plan with the very code `rollgraph plan` runs, so the panel and
 * the command always agree (a test compares them on every service of the demo).
 */
import { MultiDirectedGraph } from 'graphology';
import type { DependencyGraph } from '../graph/build-graph.js';
import { createEdgeRecord, edgeKey } from '../graph/edge-accumulator.js';
import { planRevert } from '../graph/plan-revert.js';
import type { ImpactTag } from '../graph/tag-impacts.js';
import type { PlanView } from '../model.js';
import type { ReportData } from '../report/html-report-data.js';

export interface PlanGraph {
  readonly graph: DependencyGraph;
  readonly tags: ReadonlyMap<string, ImpactTag>;
}

export function toPlanGraph(data: ReportData): PlanGraph {
  const graph: DependencyGraph = new MultiDirectedGraph();
  for (const node of data.nodes) {
    graph.addNode(node.id, { kind: node.kind, versions: [...node.versions], entrypoint: node.entrypoint, environments: node.environments.map((e) => data.environments[e]!) });
  }
  const tags = new Map<string, ImpactTag>();
  for (const index of data.graphOrder) {
    const edge = data.edges[index]!;
    const from = data.nodes[edge.from]!;
    const to = data.nodes[edge.to]!;
    const record = createEdgeRecord(from.id, from.kind, to.id, to.kind, edge.type);
    record.calls = edge.calls;
    record.errors = edge.errors;
    for (const [name, calls, calleeVersions, callerVersions] of edge.operations) {
      record.operations.set(name, { calls, calleeVersions: new Set(calleeVersions), callerVersions: new Set(callerVersions) });
    }
    if (edge.via !== null) record.vias.set(edge.via, edge.calls);
    for (const v of edge.callerVersions) record.callerVersions.add(v);
    for (const v of edge.calleeVersions) record.calleeVersions.add(v);
    for (const e of edge.environments) record.environments.add(data.environments[e]!);
    record.firstMs = edge.firstMs;
    record.lastMs = edge.lastMs;
    const key = edgeKey(from.id, to.id, edge.type);
    graph.addDirectedEdgeWithKey(key, from.id, to.id, record);
    if (edge.impact !== undefined && edge.confidence !== undefined && edge.reason !== undefined) {
      tags.set(key, { impact: edge.impact, confidence: edge.confidence, reason: edge.reason, forcing: edge.forcing ?? null });
    }
  }
  return { graph, tags };
}

/** The revert plan for one service rolled back alone (CONTRACT §4). */
export function planFor(planGraph: PlanGraph, service: string): PlanView {
  return planRevert(planGraph.graph, planGraph.tags, [service]);
}
