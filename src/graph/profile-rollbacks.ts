/**
 * The rollback profile of every service, shown per node in `export`: the versions a rollback
 * moves between, who must revert with it (the revert set of a plan for it alone), the databases
 * it writes (compensate) and the third parties it changes (dampen).
 */
import type { RollbackProfile } from '../model.js';
import type { DependencyGraph } from './build-graph.js';
import { compareText } from './graph-view.js';
import { buildCoordinatedGraph, collectRevertSet } from './plan-revert.js';
import { type ImpactTags, rollbackVersions } from './tag-impacts.js';

export function profileRollbacks(graph: DependencyGraph, tags: ImpactTags): Map<string, RollbackProfile> {
  const profiles = new Map<string, RollbackProfile>();
  const coordinated = buildCoordinatedGraph(graph, tags);
  graph.forEachNode((service, attributes) => {
    if (attributes.kind !== 'service') return;
    const { from, to } = rollbackVersions(attributes.versions);
    const mustRevertWith = [...collectRevertSet(coordinated, [service]).set].filter((s) => s !== service).sort(compareText);
    const compensate: string[] = [];
    const dampen: string[] = [];
    graph.forEachOutEdge(service, (key, edge) => {
      if (tags.get(key)?.impact !== 'data-migration') return;
      if (edge.type === 'database') compensate.push(edge.to);
      else if (edge.type === 'external') dampen.push(edge.to);
    });
    profiles.set(service, { fromVersion: from, toVersion: to, mustRevertWith, compensate: compensate.sort(compareText), dampen: dampen.sort(compareText) });
  });
  return profiles;
}
