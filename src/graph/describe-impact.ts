/**
 * What rolling one service back involves (`rollgraph impact`): its version change, the callers
 * that must revert with it, every edge into and out of it tagged for this rollback, and the plan.
 */
import type { EdgeView, ImpactView } from '../model.js';
import type { DependencyGraph } from './build-graph.js';
import { compareText, toEdgeView } from './graph-view.js';
import { planRevert } from './plan-revert.js';
import { type ImpactOverride, type ImpactTags, rollbackVersions, tagImpacts } from './tag-impacts.js';

export interface ImpactQuery {
  readonly service: string;
  /** The version to roll back to; the previous one when absent. */
  readonly toVersion?: string;
  readonly override?: ImpactOverride;
  /** Tags already worked out against every service's previous version (reused without --to-version). */
  readonly tags?: ImpactTags;
}

export function describeImpact(graph: DependencyGraph, query: ImpactQuery): ImpactView {
  const { service } = query;
  const toVersions = new Map(query.toVersion === undefined ? [] : [[service, query.toVersion]]);
  const tags = query.tags !== undefined && query.toVersion === undefined ? query.tags : tagImpacts(graph, { override: query.override, toVersions });
  const plan = planRevert(graph, tags, [service], { toVersions });
  const edges: EdgeView[] = [];
  const add = (key: string) => {
    edges.push(toEdgeView(graph.getEdgeAttributes(key), tags.get(key)));
  };
  graph.forEachInEdge(service, add);
  graph.forEachOutEdge(service, add);
  edges.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.type, b.type));
  const { from, to } = rollbackVersions(graph.getNodeAttribute(service, 'versions'), query.toVersion);
  return {
    service,
    fromVersion: from,
    toVersion: to,
    mustRevertWith: plan.revertSet.filter((s) => s !== service),
    edges,
    plan,
  };
}
