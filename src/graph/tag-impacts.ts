/**
 * Tags every edge with what rolling it back costs (CONTRACT §3): `data-migration` for writes to
 * a database or side-effecting calls to a third party; for sync calls, `coordinated` or
 * `independent` by comparing the operations the caller uses with those the callee's target
 * version served; the conservative `assumed` defaults when the traces cannot tell. Rules from the
 * config file are checked first. Each tag names its evidence.
 */
import type { CallType, Confidence, Impact } from '../model.js';
import type { DependencyGraph } from './build-graph.js';
import { classifyOperation } from './classify-operation.js';
import type { EdgeRecord, OperationTally } from './edge-accumulator.js';

export interface ImpactTag {
  readonly impact: Impact;
  readonly confidence: Confidence;
  readonly reason: string;
  /** For a coordinated sync call: the operation that forces the caller to revert with the callee. */
  readonly forcing: string | null;
}

/** An override from the config file, or null to apply the default rules. */
export type ImpactOverride = (edge: {
  readonly from: string;
  readonly to: string;
  readonly type: CallType;
  readonly operations: readonly string[];
}) => { readonly impact: Impact; readonly confidence: Confidence; readonly reason: string } | null;

export interface ImpactOptions {
  readonly override?: ImpactOverride;
  /** Versions to evaluate a rollback against, instead of each service's previous version. */
  readonly toVersions?: ReadonlyMap<string, string>;
}

/** Every edge key of the graph with its tag. */
export type ImpactTags = ReadonlyMap<string, ImpactTag>;

/** Which operations each version of each service was seen serving, from any caller. */
export function collectServedOperations(graph: DependencyGraph): Map<string, Map<string, Set<string>>> {
  const served = new Map<string, Map<string, Set<string>>>();
  graph.forEachEdge((_key, edge, _from, to) => {
    let byVersion = served.get(to);
    if (byVersion === undefined) served.set(to, (byVersion = new Map()));
    for (const [name, op] of edge.operations) {
      for (const version of op.calleeVersions) {
        let ops = byVersion.get(version);
        if (ops === undefined) byVersion.set(version, (ops = new Set()));
        ops.add(name);
      }
    }
  });
  return served;
}

/** The version a service rolls back to: the one given, else the one before its current one. */
export function rollbackVersions(versions: readonly string[], toVersion?: string): { from: string | null; to: string | null } {
  const from = versions.at(-1) ?? null;
  if (toVersion !== undefined) return { from, to: toVersion };
  return { from, to: versions.length >= 2 ? versions[versions.length - 2]! : null };
}

export function tagImpacts(graph: DependencyGraph, options: ImpactOptions = {}): Map<string, ImpactTag> {
  const served = collectServedOperations(graph);
  const tags = new Map<string, ImpactTag>();
  graph.forEachEdge((key, edge) => {
    tags.set(key, tagEdge(graph, edge, served, options));
  });
  return tags;
}

function tagEdge(graph: DependencyGraph, edge: EdgeRecord, served: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>, options: ImpactOptions): ImpactTag {
  const override = options.override?.({ from: edge.from, to: edge.to, type: edge.type, operations: [...edge.operations.keys()] });
  if (override) return { ...override, forcing: null };
  switch (edge.type) {
    case 'database':
    case 'external':
      return tagEffects(edge);
    case 'async':
      return {
        impact: 'independent',
        confidence: 'assumed',
        reason: `${edge.from} -> ${edge.to} is asynchronous${viaText(edge)}: the broker decouples the two sides, so either can roll back alone`,
        forcing: null,
      };
    case 'sync':
      return tagSync(graph, edge, served, options);
  }
}

/** Databases and third parties: writes outlive a rollback; reads do not. */
function tagEffects(edge: EdgeRecord): ImpactTag {
  if (edge.operations.size === 0) {
    return {
      impact: 'data-migration',
      confidence: 'assumed',
      reason: `${edge.from} -> ${edge.to} is known only from aggregated call counts, which name no operation: whether the calls change state cannot be told, so they are treated as writes until a config rule says otherwise`,
      forcing: null,
    };
  }
  const writes: string[] = [];
  const reads: string[] = [];
  const unknown: string[] = [];
  for (const [name, op] of byCalls(edge.operations)) {
    const effect = classifyOperation(name);
    const shown = `${name} x${op.calls}`;
    (effect === 'write' ? writes : effect === 'read' ? reads : unknown).push(shown);
  }
  const target = edge.type === 'database' ? 'the database' : 'the third party';
  if (writes.length > 0) {
    return {
      impact: 'data-migration',
      confidence: 'observed',
      reason:
        edge.type === 'database'
          ? `${edge.from} writes to ${edge.to} (${list(writes)}): a rollback does not undo written data; compensate, don't revert`
          : `${edge.from} calls ${edge.to} with side effects (${list(writes)}): ${target} keeps its state when ${edge.from} rolls back; pause, then compensate`,
      forcing: null,
    };
  }
  if (unknown.length > 0) {
    return {
      impact: 'data-migration',
      confidence: 'assumed',
      reason: `the traces do not show whether ${edge.from}'s calls to ${edge.to} change state (${list(unknown)}): treated as writes until a config rule says otherwise`,
      forcing: null,
    };
  }
  return {
    impact: 'independent',
    confidence: 'observed',
    reason: `${edge.from} only reads from ${edge.to} (${list(reads)}): nothing to undo`,
    forcing: null,
  };
}

/**
 * A sync call A -> B: does B's target version serve everything A uses? A uses the operations its
 * current version was seen calling (all of the edge's operations when versions are unknown).
 */
function tagSync(graph: DependencyGraph, edge: EdgeRecord, served: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>, options: ImpactOptions): ImpactTag {
  const callee = edge.to;
  const versions = graph.hasNode(callee) ? graph.getNodeAttribute(callee, 'versions') : [];
  const { from: current, to: target } = rollbackVersions(versions, options.toVersions?.get(callee));
  const used = usedOperations(graph, edge);
  const main = used[0]?.[0] ?? null;
  if (used.length === 0) {
    return {
      impact: 'coordinated',
      confidence: 'assumed',
      reason: `${edge.from} -> ${callee} is known only from aggregated call counts, which name no operation: no evidence that ${edge.from} works with ${target === null ? `an older ${callee}` : `${callee} ${target}`}`,
      forcing: null,
    };
  }
  if (target === null) {
    return {
      impact: 'coordinated',
      confidence: 'assumed',
      reason:
        current === null
          ? `${callee} reports no service.version: no evidence that ${edge.from} works with an older ${callee}`
          : `${callee} has a single version in the traces (${current}): no evidence that ${edge.from} works with an older one`,
      forcing: main,
    };
  }
  const servedByTarget = served.get(callee)?.get(target) ?? new Set<string>();
  const missing = used.filter(([name]) => !servedByTarget.has(name));
  const change = `${callee} ${current ?? '?'} -> ${target}`;
  if (missing.length > 0) {
    const [name, op] = missing[0]!;
    const servedBy = [...op.calleeVersions].sort();
    const more = missing.length > 1 ? ` (and ${list(missing.slice(1).map(([n]) => n))})` : '';
    return {
      impact: 'coordinated',
      confidence: 'observed',
      reason:
        `${edge.from} uses ${name}${more}, which ${callee} ${target} never served` +
        (servedBy.length > 0 ? ` (served by ${servedBy.join(', ')})` : '') +
        `: rolling back ${change} breaks ${edge.from}, so ${edge.from} must revert with it`,
      forcing: name,
    };
  }
  return {
    impact: 'independent',
    confidence: 'observed',
    reason: `${callee} ${target} already served every operation ${edge.from} uses (${list(used.map(([n]) => n))}): rolling back ${change} keeps ${edge.from} working`,
    forcing: null,
  };
}

/** Operations of the caller's current version, most called first (all when it has none). */
function usedOperations(graph: DependencyGraph, edge: EdgeRecord): [string, OperationTally][] {
  const all = byCalls(edge.operations);
  const versions = graph.hasNode(edge.from) ? graph.getNodeAttribute(edge.from, 'versions') : [];
  const current = versions.at(-1);
  if (current === undefined) return all;
  const mine = all.filter(([, op]) => op.callerVersions.has(current));
  return mine.length > 0 ? mine : all;
}

function byCalls(operations: ReadonlyMap<string, OperationTally>): [string, OperationTally][] {
  return [...operations].sort(([na, a], [nb, b]) => b.calls - a.calls || (na < nb ? -1 : na > nb ? 1 : 0));
}

const LISTED = 3;

function list(items: readonly string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')}, +${items.length - LISTED} more`;
}

function viaText(edge: EdgeRecord): string {
  let best: string | null = null;
  let n = 0;
  for (const [via, count] of edge.vias) if (count > n) [best, n] = [via, count];
  return best === null ? '' : ` through ${best}`;
}
