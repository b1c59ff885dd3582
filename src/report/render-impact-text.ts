/**
 * Renders what rolling one service back involves (`rollgraph impact SERVICE`) as plain text:
 * the callers that must revert with it and the evidence (edge, operations, versions), the
 * databases it wrote to (compensate, don't revert), the third parties it called with side
 * effects (pause them first), the neighbours that are unaffected and why, then a pointer to
 * the plan. Sections follow the view's edge order; an edge missing its tag shows as `unknown`.
 *
 * Names come from traces and a terminal would obey their control characters: `clean` shows
 * them as `\xHH` / `\uHHHH`, as render-plan-text.ts does.
 */
import type { EdgeView, ImpactView, OperationView } from '../model.js';
import { listText, plural, showControls, wrap } from './text-format.js';

const WIDTH = 100;
/** Operations listed under one edge; past this, one line says how many more there are. */
const MAX_OPERATIONS = 5;

/** Renders `view` for a terminal. */
export function renderImpactText(view: ImpactView): string {
  const service = view.service;
  const impactOf = (edge: EdgeView): string => edge.impact ?? 'unknown';
  const isCallerOf = (edge: EdgeView): boolean => edge.to === service && edge.from !== service;

  const lines = renderHeader(view);
  const shown = new Set<EdgeView>();

  // Callers that must revert with it: the view's list, each with its call into the service.
  lines.push('', heading('must revert with it', view.mustRevertWith.length));
  for (const caller of view.mustRevertWith) {
    const edges = view.edges.filter((edge) => edge.from === caller && isCallerOf(edge));
    for (const edge of edges) {
      shown.add(edge);
      lines.push(...renderEdge(edge, view, true));
    }
    if (edges.length === 0) lines.push(...renderIndirectCaller(caller, view));
  }

  const writes = view.edges.filter(
    (edge) => !shown.has(edge) && impactOf(edge) === 'data-migration' && edge.type !== 'external',
  );
  lines.push('', heading('writes to compensate, not revert', writes.length));
  for (const edge of writes) {
    shown.add(edge);
    lines.push(...renderEdge(edge, view, true));
  }

  const thirdParties = view.edges.filter(
    (edge) => !shown.has(edge) && impactOf(edge) === 'data-migration' && edge.type === 'external',
  );
  lines.push('', heading('third parties with side effects, to pause first', thirdParties.length));
  for (const edge of thirdParties) {
    shown.add(edge);
    lines.push(...renderEdge(edge, view, true));
  }

  // Tags a consistent view does not produce here; shown rather than dropped.
  const otherCoordinated = view.edges.filter((edge) => !shown.has(edge) && impactOf(edge) === 'coordinated');
  if (otherCoordinated.length > 0) {
    lines.push('', heading('other coordinated calls, to check by hand', otherCoordinated.length));
    for (const edge of otherCoordinated) {
      shown.add(edge);
      lines.push(...renderEdge(edge, view, true));
    }
  }
  const untagged = view.edges.filter((edge) => !shown.has(edge) && impactOf(edge) !== 'independent');
  if (untagged.length > 0) {
    lines.push('', heading('impact unknown, to check by hand', untagged.length));
    for (const edge of untagged) {
      shown.add(edge);
      lines.push(...renderEdge(edge, view, true));
    }
  }

  const unaffected = view.edges.filter((edge) => !shown.has(edge));
  lines.push('', heading('unaffected', unaffected.length));
  for (const edge of unaffected) lines.push(...renderEdge(edge, view, false));

  lines.push('', ...renderPlanPointer(view));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Header and plan

function renderHeader(view: ImpactView): string[] {
  const name = showControls(view.service);
  const from = view.fromVersion === null ? ' (current version unknown)' : ` from ${showControls(view.fromVersion)}`;
  if (view.toVersion !== null) return [`rolling back ${name}${from} to ${showControls(view.toVersion)}`];
  const seen = view.fromVersion === null ? '' : ` before ${showControls(view.fromVersion)}`;
  return [
    `rolling back ${name}${from}: no previous version known`,
    ...wrap(
      `The traces show no version of ${name}${seen}, so there is nothing to return to yet. Name the version ` +
        `to return to: ${command('impact', view.service)} --to-version VERSION`,
      '  ',
      '  ',
      WIDTH,
    ),
  ];
}

function renderPlanPointer(view: ImpactView): string[] {
  const plan = view.plan;
  const irreversible = plan.steps.filter((step) => !step.reversible).length;
  const summary =
    `revert set ${plan.revertSet.length === 0 ? '(empty)' : plan.revertSet.map(showControls).join(', ')} ` +
    `in ${plural(plan.waves.length, 'wave')}, ${plural(plan.steps.length, 'step')}` +
    (irreversible > 0 ? ` (${irreversible} irreversible)` : '');
  const lines = wrap(summary, 'plan: ', '  ', WIDTH);
  for (const group of plan.cycles) {
    lines.push(...wrap(`no safe sequential order: revert ${listText(group.map(showControls))} together`, '  ! ', '    ', WIDTH));
  }
  lines.push(`  the steps: ${command('plan', view.service)}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Edges

/**
 * `checkout -> inventory  coordinated (observed), sync, 460 calls`, the reason, then (when
 * `withOperations`) each operation with the versions that served and used it, flagging those
 * the target version never served.
 */
function renderEdge(edge: EdgeView, view: ImpactView, withOperations: boolean): string[] {
  const facts = [`${edge.impact ?? 'unknown'} (${edge.confidence ?? 'unknown'})`, edgeType(edge)];
  facts.push(plural(edge.calls, 'call'));
  if (edge.errors > 0) facts.push(plural(edge.errors, 'error'));
  const lines = wrap(`${showControls(edge.from)} -> ${showControls(edge.to)}  ${facts.join(', ')}`, '  ', '      ', WIDTH);
  lines.push(...wrap(showControls(edge.reason ?? 'no reason given'), '    ', '    ', WIDTH));
  if (!withOperations) return lines;
  const operations = edge.operations.slice(0, MAX_OPERATIONS);
  for (const operation of operations) {
    lines.push(...wrap(operationText(operation, edge, view), '    - ', '      ', WIDTH));
  }
  if (edge.operations.length > operations.length) {
    lines.push(`    - and ${edge.operations.length - operations.length} more`);
  }
  return lines;
}

function edgeType(edge: EdgeView): string {
  if (edge.via !== null && edge.via !== edge.from && edge.via !== edge.to) return `${edge.type} via ${showControls(edge.via)}`;
  return edge.type;
}

/**
 * `POST /inventory/reserve (120 calls): never served by 1.8.2; served by inventory 1.9.0; used
 * by checkout 2.4.0`. The first part only for calls into the service being rolled back.
 */
function operationText(operation: OperationView, edge: EdgeView, view: ImpactView): string {
  const parts = [`${showControls(operation.name)} (${plural(operation.calls, 'call')})`];
  const details: string[] = [];
  const target = view.toVersion;
  // The fact that forces the revert comes first.
  if (
    edge.to === view.service &&
    target !== null &&
    operation.calleeVersions.length > 0 &&
    !operation.calleeVersions.includes(target)
  ) {
    details.push(`never served by ${showControls(target)}`);
  }
  if (operation.calleeVersions.length > 0) {
    details.push(`served by ${showControls(edge.to)} ${operation.calleeVersions.map(showControls).join(', ')}`);
  }
  if (operation.callerVersions.length > 0) {
    details.push(`used by ${showControls(edge.from)} ${operation.callerVersions.map(showControls).join(', ')}`);
  }
  return details.length === 0 ? parts.join('') : `${parts.join('')}: ${details.join('; ')}`;
}

/** A caller of a caller: in the revert set through the plan, not through a call of its own. */
function renderIndirectCaller(caller: string, view: ImpactView): string[] {
  const added = view.plan.added.find((entry) => entry.service === caller);
  if (added === undefined) return wrap(`${showControls(caller)}  (no direct call; in the plan's revert set)`, '  ', '    ', WIDTH);
  const edge = `${showControls(added.because.from)} -> ${showControls(added.because.to)}`;
  const why = added.because.operation === null ? edge : `${edge} uses ${showControls(added.because.operation)}`;
  return [
    ...wrap(`${showControls(caller)}  (no direct call; reverts because ${why})`, '  ', '    ', WIDTH),
    ...wrap(showControls(added.reason), '    ', '    ', WIDTH),
  ];
}

// ---------------------------------------------------------------------------------------------
// Helpers

function heading(title: string, count: number): string {
  return count === 0 ? `${title}: none` : `${title} (${count}):`;
}

/**
 * A command line to copy: the name in single quotes unless it is made of characters no shell
 * treats specially.
 */
function command(name: string, service: string): string {
  const shown = showControls(service);
  const quoted = /^[\w.:/@%+=,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
  return `rollgraph ${name} ${quoted}`;
}

