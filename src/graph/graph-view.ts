/**
 * The plain, sorted view of a dependency graph that reporters render (CONTRACT §6): nodes by id,
 * edges by from, to and type; operations most called first; times as ISO 8601 UTC.
 */
import type { EdgeView, GraphView, NodeView, OperationView, RollbackProfile } from '../model.js';
import type { DependencyGraph } from './build-graph.js';
import type { EdgeRecord } from './edge-accumulator.js';
import type { ImpactTag, ImpactTags } from './tag-impacts.js';

export interface ViewAnnotations {
  /** Impact of each edge, by edge key. */
  readonly tags?: ImpactTags;
  /** Rollback profile of each service. */
  readonly profiles?: ReadonlyMap<string, RollbackProfile>;
}

export function toGraphView(graph: DependencyGraph, annotations: ViewAnnotations = {}): GraphView {
  const nodes: NodeView[] = [];
  graph.forEachNode((id, a) => {
    const rollback = annotations.profiles?.get(id);
    nodes.push({
      id,
      kind: a.kind,
      versions: [...a.versions],
      entrypoint: a.entrypoint,
      environments: [...a.environments],
      ...(rollback === undefined ? {} : { rollback }),
    });
  });
  nodes.sort((a, b) => compareText(a.id, b.id));
  const edges: EdgeView[] = [];
  graph.forEachEdge((key, record) => {
    edges.push(toEdgeView(record, annotations.tags?.get(key)));
  });
  edges.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.type, b.type));
  return { nodes, edges };
}

export function toEdgeView(record: EdgeRecord, tag?: ImpactTag): EdgeView {
  const operations: OperationView[] = [...record.operations.entries()]
    .map(([name, op]) => ({
      name,
      calls: op.calls,
      calleeVersions: [...op.calleeVersions].sort(compareText),
      callerVersions: [...op.callerVersions].sort(compareText),
    }))
    .sort((a, b) => b.calls - a.calls || compareText(a.name, b.name));
  return {
    from: record.from,
    to: record.to,
    type: record.type,
    ...(tag === undefined ? {} : { impact: tag.impact, confidence: tag.confidence, reason: tag.reason }),
    calls: record.calls,
    errors: record.errors,
    operations,
    via: mostCommon(record.vias),
    firstSeen: toIso(record.firstMs),
    lastSeen: toIso(record.lastMs),
    sampleTraceIds: record.samples.map((s) => s.traceId),
    callerVersions: [...record.callerVersions].sort(compareText),
    calleeVersions: [...record.calleeVersions].sort(compareText),
    environments: [...record.environments].sort(compareText),
  };
}

/** Code-point order, independent of the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mostCommon(counts: ReadonlyMap<string, number>): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(Math.floor(ms)).toISOString();
}
