/**
 * The revert plan of CONTRACT §4: the revert set (targets plus, upstream, every caller whose
 * call to a reverted service is `coordinated`), its order (callers before callees; strongly
 * connected services as one atomic group), and the steps, reversible first and irreversible
 * last: snapshot, dampen, revert wave by wave, verify, resume, compensate.
 */
import { DirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { topologicalGenerations } from 'graphology-dag';
import { bfsFromNode } from 'graphology-traversal';
import type { AddedService, PlanStep, PlanView } from '../model.js';
import type { DependencyGraph } from './build-graph.js';
import { classifyOperation } from './classify-operation.js';
import type { EdgeRecord } from './edge-accumulator.js';
import { compareText, toIso } from './graph-view.js';
import { type ImpactTags, collectServedOperations, rollbackVersions } from './tag-impacts.js';

export interface PlanOptions {
  /** Versions to roll back to, instead of each service's previous version. */
  readonly toVersions?: ReadonlyMap<string, string>;
}

interface Revert {
  readonly set: Set<string>;
  /** Distance from the targets along coordinated calls (0 for a target). */
  readonly depth: Map<string, number>;
}

/** The coordinated calls between services: who must revert when whom reverts. */
export function buildCoordinatedGraph(graph: DependencyGraph, tags: ImpactTags): DirectedGraph {
  const coordinated = new DirectedGraph();
  graph.forEachEdge((key, _edge, from, to) => {
    if (tags.get(key)?.impact !== 'coordinated') return;
    if (graph.getNodeAttribute(from, 'kind') !== 'service' || from === to) return;
    coordinated.mergeEdge(from, to);
  });
  return coordinated;
}

/** The targets and every service that must revert with them: a walk upstream over coordinated calls. */
export function collectRevertSet(coordinated: DirectedGraph, targets: readonly string[]): Revert {
  const depth = new Map<string, number>();
  for (const target of targets) depth.set(target, 0);
  for (const target of targets) {
    if (!coordinated.hasNode(target)) continue;
    bfsFromNode(coordinated, target, (node, _attributes, d) => {
      const known = depth.get(node);
      if (known !== undefined && known <= d && node !== target) return true; // reached sooner from another target
      depth.set(node, Math.min(known ?? d, d));
      return false;
    }, { mode: 'inbound' });
  }
  return { set: new Set(depth.keys()), depth };
}

export function planRevert(graph: DependencyGraph, tags: ImpactTags, targets: readonly string[], options: PlanOptions = {}): PlanView {
  const sortedTargets = [...new Set(targets)].sort(compareText);
  const { set, depth } = collectRevertSet(buildCoordinatedGraph(graph, tags), sortedTargets);
  const revertSet = [...set].sort(compareText);
  const versions: Record<string, { from: string | null; to: string | null }> = Object.fromEntries(
    revertSet.map((s) => {
      const v = rollbackVersions(graph.getNodeAttribute(s, 'versions'), options.toVersions?.get(s));
      return [s, { from: v.from, to: v.to }];
    }),
  );
  const { waves, cycles } = orderRevert(graph, set);
  const added = explainAdded(graph, tags, set, depth, sortedTargets);
  // Cycles are called out by `cycles` itself; warnings hold what the plan could not settle.
  const warnings: string[] = chooseSafeVersions(graph, tags, set, depth, sortedTargets, versions);
  for (const s of revertSet) {
    if (versions[s]!.to === null) {
      warnings.push(`${s} has no previous version in the traces: find the version to return to before starting`);
    }
  }
  warnings.push(...warnBrokenOutsiders(graph, tags, set));
  const steps = planSteps(graph, tags, revertSet, waves, cycles, versions);
  return { targets: sortedTargets, revertSet, waves, cycles, steps, added, versions, warnings };
}

/** Waves: topological generations of the calls inside the set, cycles collapsed into one group. */
function orderRevert(graph: DependencyGraph, set: ReadonlySet<string>): { waves: string[][]; cycles: string[][] } {
  const inner = new DirectedGraph();
  for (const s of set) inner.addNode(s);
  graph.forEachEdge((_key, _edge, from, to) => {
    if (from !== to && set.has(from) && set.has(to)) inner.mergeEdge(from, to);
  });
  const components = stronglyConnectedComponents(inner).map((c) => [...c].sort(compareText));
  const groupOf = new Map<string, string>();
  const condensed = new DirectedGraph();
  components.forEach((members, i) => {
    const id = String(i);
    condensed.addNode(id);
    for (const m of members) groupOf.set(m, id);
  });
  inner.forEachEdge((_key, _attributes, from, to) => {
    const a = groupOf.get(from)!;
    const b = groupOf.get(to)!;
    if (a !== b) condensed.mergeEdge(a, b);
  });
  const waves = topologicalGenerations(condensed).map((generation) =>
    generation.flatMap((id) => components[Number(id)]!).sort(compareText),
  );
  const cycles = components.filter((c) => c.length > 1).sort((a, b) => compareText(a[0]!, b[0]!));
  return { waves, cycles };
}

/** For each added service, the coordinated call that pulled it in: to the service nearest the targets. */
function explainAdded(graph: DependencyGraph, tags: ImpactTags, set: ReadonlySet<string>, depth: ReadonlyMap<string, number>, targets: readonly string[]): AddedService[] {
  const added: AddedService[] = [];
  for (const service of [...set].sort(compareText)) {
    if (targets.includes(service)) continue;
    let best: { edge: EdgeRecord; key: string } | null = null;
    graph.forEachOutEdge(service, (key, edge, _from, to) => {
      if (!set.has(to) || to === service || tags.get(key)?.impact !== 'coordinated') return;
      if (best === null || depth.get(to)! < depth.get(best.edge.to)! || (depth.get(to) === depth.get(best.edge.to) && compareText(to, best.edge.to) < 0)) {
        best = { edge, key };
      }
    });
    const chosen = best as { edge: EdgeRecord; key: string } | null;
    if (chosen === null) continue;
    const tag = tags.get(chosen.key)!;
    added.push({ service, because: { from: service, to: chosen.edge.to, operation: tag.forcing }, reason: tag.reason });
  }
  return added;
}

/**
 * Precondition reversal: an added caller's previous version may still use what forced it in.
 * Then it goes back to the newest older version that only uses operations the reverted callees
 * will serve, and the plan says so; if no version qualifies, the plan warns.
 */
function chooseSafeVersions(
  graph: DependencyGraph,
  tags: ImpactTags,
  set: ReadonlySet<string>,
  depth: ReadonlyMap<string, number>,
  targets: readonly string[],
  versions: Record<string, { from: string | null; to: string | null }>,
): string[] {
  const served = collectServedOperations(graph);
  const warnings: string[] = [];
  const added = [...set].filter((s) => !targets.includes(s)).sort((a, b) => depth.get(a)! - depth.get(b)! || compareText(a, b));
  for (const caller of added) {
    const history = graph.getNodeAttribute(caller, 'versions');
    const previous = versions[caller]!.to;
    if (previous === null) continue;
    const problems = (version: string): string[] => {
      const found: string[] = [];
      graph.forEachOutEdge(caller, (key, edge, _from, callee) => {
        if (!set.has(callee) || tags.get(key)?.impact !== 'coordinated') return;
        const target = versions[callee]?.to;
        if (target === null || target === undefined) return;
        const servedByTarget = served.get(callee)?.get(target);
        for (const [name, op] of edge.operations) {
          if (op.callerVersions.has(version) && !servedByTarget?.has(name)) found.push(`${name} on ${callee} ${target}`);
        }
      });
      return found.sort(compareText);
    };
    const stillUsed = problems(previous);
    if (stillUsed.length === 0) continue;
    const older = history.slice(0, history.indexOf(previous)).reverse();
    const safe = older.find((v) => problems(v).length === 0);
    if (safe !== undefined) {
      versions[caller] = { from: versions[caller]!.from, to: safe };
      warnings.push(`${caller} ${previous} still uses ${stillUsed.join(', ')}: roll ${caller} back to ${safe} instead, the newest version that does not`);
    } else {
      warnings.push(`${caller} ${previous} still uses ${stillUsed.join(', ')} and no earlier version of ${caller} in the traces avoids it: find a safe version, or roll the callees forward instead`);
    }
  }
  return warnings;
}

/** Callers that cannot be reverted (no spans of their own) but break when a service in the set rolls back. */
function warnBrokenOutsiders(graph: DependencyGraph, tags: ImpactTags, set: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  graph.forEachEdge((key, edge, from, to) => {
    const tag = tags.get(key);
    if (!set.has(to) || tag?.impact !== 'coordinated' || tag.confidence !== 'observed') return;
    if (graph.getNodeAttribute(from, 'kind') === 'service') return;
    warnings.push(`${from} is not instrumented and cannot be reverted, but ${tag.reason.replace(/, so .*$/, '')}: tell its owners first`);
  });
  return warnings.sort(compareText);
}

type Versions = Readonly<Record<string, { readonly from: string | null; readonly to: string | null }>>;

function planSteps(graph: DependencyGraph, tags: ImpactTags, revertSet: readonly string[], waves: readonly string[][], cycles: readonly string[][], versions: Versions): PlanStep[] {
  const inSet = new Set(revertSet);
  const writes: { edge: EdgeRecord; reason: string }[] = [];
  const sideEffects: { edge: EdgeRecord; reason: string }[] = [];
  graph.forEachEdge((key, edge, from) => {
    const tag = tags.get(key);
    if (!inSet.has(from) || tag?.impact !== 'data-migration') return;
    if (edge.type === 'database') writes.push({ edge, reason: tag.reason });
    else if (edge.type === 'external') sideEffects.push({ edge, reason: tag.reason });
  });
  const byEdge = (a: { edge: EdgeRecord }, b: { edge: EdgeRecord }) => compareText(a.edge.from, b.edge.from) || compareText(a.edge.to, b.edge.to);
  writes.sort(byEdge);
  sideEffects.sort(byEdge);
  const shown = (s: string) => `${s} ${versionChange(versions[s]!)}`;
  const steps: PlanStep[] = [];

  steps.push({
    kind: 'snapshot',
    services: [...revertSet],
    reversible: true,
    text:
      `Record what runs now (${revertSet.map((s) => `${s} ${versions[s]!.from ?? '(unversioned)'}`).join(', ')})` +
      (writes.length > 0 ? ` and snapshot the data the rollback cannot undo: ${joinNames(unique(writes.map((w) => w.edge.to)))}` : ''),
    evidence: writes.map((w) => w.reason),
  });

  if (sideEffects.length > 0) {
    steps.push({
      kind: 'dampen',
      services: unique(sideEffects.map((s) => s.edge.from)),
      reversible: true,
      text: `Pause side-effecting calls to third parties: ${sideEffects.map((s) => `${s.edge.from} -> ${s.edge.to}`).join(', ')} (feature flag, queue or circuit breaker), and their webhooks`,
      evidence: sideEffects.map((s) => s.reason),
    });
  }

  const reverted: string[] = [];
  waves.forEach((wave, i) => {
    const groups = cycles.filter((c) => c.some((s) => wave.includes(s)));
    const callersDone = wave.flatMap((s) => callersIn(graph, s, reverted));
    const precondition =
      i === 0
        ? `snapshot taken${sideEffects.length > 0 ? ' and side-effecting calls paused' : ''}; no caller outside the revert set needs what ${joinNames(wave)} will stop serving`
        : `wave ${i} is reverted and verified: ${joinNames(unique(callersDone.length > 0 ? callersDone : reverted))} no longer call${callersDone.length === 1 ? 's' : ''} what the newer versions of ${joinNames(wave)} serve`;
    steps.push({
      kind: 'revert',
      services: [...wave],
      reversible: true,
      text:
        `Wave ${i + 1}: roll back ${wave.map(shown).join(', ')}` +
        (groups.length > 0 ? `; ${groups.map((g) => joinNames(g)).join('; ')} together, atomically (a call cycle)` : wave.length > 1 ? ', in parallel' : ''),
      precondition,
      verification: `${wave.map((s) => `${s} reports ${versions[s]!.to ?? 'the version you chose'}`).join(', ')}; calls to ${joinNames(wave)} succeed at the error rate from before the deploy`,
      evidence: wave.flatMap((s) => revertEvidence(graph, tags, s, inSet)),
    });
    reverted.push(...wave);
  });

  steps.push({
    kind: 'verify',
    services: [...revertSet],
    reversible: true,
    text: 'Verify absence, not just presence: the newer versions\u2019 operations and dependencies are gone (compare the graph with the snapshot)',
    evidence: revertSet.flatMap((s) => absenceChecks(graph, s, versions[s]!)),
  });

  if (sideEffects.length > 0) {
    steps.push({
      kind: 'resume',
      services: unique(sideEffects.map((s) => s.edge.from)),
      reversible: true,
      text: `Resume the paused calls (${sideEffects.map((s) => `${s.edge.from} -> ${s.edge.to}`).join(', ')}), after assessing what the rolled-back versions already did there; retry within each vendor's rate limits`,
      evidence: sideEffects.map((s) => s.reason),
    });
  }

  for (const w of writes) {
    const ops = [...w.edge.operations.keys()].filter((name) => classifyOperation(name) !== 'read').sort(compareText).join(', ');
    steps.push({
      kind: 'compensate',
      services: [w.edge.from],
      reversible: false,
      text: `Compensate, don't revert: what ${w.edge.from} wrote to ${w.edge.to} (${ops}) stays after the rollback; make it harmless for ${w.edge.from} ${versions[w.edge.from]!.to ?? '(previous version)'} (keep new columns nullable, backfill or clean up), never drop it in a hurry`,
      evidence: [w.reason, `first seen ${toIso(w.edge.firstMs) ?? 'unknown'}, last seen ${toIso(w.edge.lastMs) ?? 'unknown'}`],
    });
  }
  return steps;
}

function callersIn(graph: DependencyGraph, service: string, among: readonly string[]): string[] {
  const callers: string[] = [];
  graph.forEachInNeighbor(service, (caller) => {
    if (among.includes(caller)) callers.push(caller);
  });
  return callers;
}

/** Why a service is in this wave: the coordinated calls into it from the revert set. */
function revertEvidence(graph: DependencyGraph, tags: ImpactTags, service: string, inSet: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  graph.forEachInEdge(service, (key, _edge, from) => {
    const tag = tags.get(key);
    if (inSet.has(from) && tag?.impact === 'coordinated') lines.push(`${from} -> ${service}: ${tag.reason}`);
  });
  return lines.sort(compareText);
}

/** What should disappear: operations only newer versions served, and calls only newer versions made. */
function absenceChecks(graph: DependencyGraph, service: string, v: { from: string | null; to: string | null }): string[] {
  if (v.to === null || v.from === null) return [];
  const target = v.to;
  const checks: string[] = [];
  graph.forEachInEdge(service, (_key, edge) => {
    for (const [name, op] of edge.operations) {
      if (op.calleeVersions.size > 0 && !op.calleeVersions.has(target)) checks.push(`no more ${name} on ${service} (never served by ${target})`);
    }
  });
  graph.forEachOutEdge(service, (_key, edge) => {
    if (edge.callerVersions.size > 0 && !edge.callerVersions.has(target)) {
      checks.push(`no more calls ${service} -> ${edge.to} (${target} never made them)`);
    }
  });
  return unique(checks).sort(compareText);
}

function versionChange(v: { from: string | null; to: string | null }): string {
  return `${v.from ?? '(unversioned)'} -> ${v.to ?? '(no previous version known)'}`;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
