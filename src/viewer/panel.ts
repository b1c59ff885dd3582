/**
 * The side panel for a selected node: what it is, its rollback profile (the versions a rollback
 * moves between, who must revert with it, what to compensate and pause) and its revert plan
 * (revert set, waves, steps: worked out on click by plan-graph.ts), then the calls in and out
 * of it. Built with `el` only: text, never
 * markup.
 */
import type { PlanView } from '../model.js';
import type { ReportData, ReportEdge, ReportNode } from '../report/html-report-data.js';
import { IMPACT_COLORS, KIND_NOUNS, PLAIN_EDGE_COLOR } from './colors.js';
import { type Child, append, el, nameButton } from './dom.js';

/** Calls listed per direction before "+N more". */
const MAX_LISTED_CALLS = 40;
/** Operations named per call, most called first. */
const MAX_LISTED_OPERATIONS = 5;

export interface PanelContext {
  readonly data: ReportData;
  readonly outEdges: ReadonlyMap<number, readonly ReportEdge[]>;
  readonly inEdges: ReadonlyMap<number, readonly ReportEdge[]>;
  readonly select: (name: string) => void;
  readonly close: () => void;
}

export function renderPanel(panel: HTMLElement, index: number, plan: PlanView | undefined, context: PanelContext): void {
  const { data, select } = context;
  const node = data.nodes[index]!;
  const close = el('button', 'close', '\u00d7');
  close.type = 'button';
  close.title = 'Close (Esc)';
  close.setAttribute('aria-label', 'close the panel');
  close.addEventListener('click', context.close);
  panel.replaceChildren();
  append(
    panel,
    close,
    el('h2', 'node-name', node.id),
    el('p', 'node-kind', KIND_NOUNS[node.kind], node.entrypoint ? ' \u00b7 entry point' : ''),
    facts(node, data),
    node.rollback === undefined ? null : rollbackSection(node, select),
    plan === undefined ? null : planSection(plan, select),
    callsSection('Calls out', context.outEdges.get(index) ?? [], (e) => e.to, '\u2192', context),
    callsSection('Calls in', context.inEdges.get(index) ?? [], (e) => e.from, '\u2190', context),
  );
  panel.hidden = false;
  panel.scrollTop = 0;
}

function facts(node: ReportNode, data: ReportData): HTMLElement {
  const list = el('dl', 'facts');
  const row = (term: string, value: string) => list.append(el('dt', '', term), el('dd', '', value));
  if (node.versions.length > 0) row('versions', `${node.versions.join(', ')} (current ${node.versions.at(-1)!})`);
  if (node.environments.length > 0) row('environments', node.environments.map((e) => data.environments[e]!).join(', '));
  return list;
}

function rollbackSection(node: ReportNode, select: (name: string) => void): HTMLElement {
  const profile = node.rollback!;
  const section = el('section', 'rollback', el('h3', '', 'Rollback profile'));
  section.append(
    el('p', 'versions', `rolls back ${profile.fromVersion ?? '(unversioned)'} \u2192 ${profile.toVersion ?? '(no previous version known)'}`),
    namesRow('must revert with it', profile.mustRevertWith, select, 'must-revert-with', 'nothing: it can roll back alone'),
    namesRow('compensate, don\u2019t revert (writes)', profile.compensate, select, 'compensate', 'none'),
    namesRow('pause first (side effects)', profile.dampen, select, 'dampen', 'none'),
  );
  return section;
}

function planSection(plan: PlanView, select: (name: string) => void): HTMLElement {
  const section = el('section', 'plan', el('h3', '', 'Revert plan'));
  section.append(namesRow('revert set', plan.revertSet, select, 'revert-set', ''));
  const waves = el('ol', 'waves');
  plan.waves.forEach((wave) => {
    const item = el('li', '');
    wave.forEach((s, i) => item.append(i > 0 ? ', ' : '', nameButton(s, select), ` ${versionChange(plan, s)}`));
    waves.append(item);
  });
  section.append(el('h4', '', 'Waves (callers first; one wave reverts in parallel)'), waves);
  if (plan.cycles.length > 0) {
    section.append(el('h4', '', 'Call cycles (revert each atomically)'), el('ul', 'cycles', ...plan.cycles.map((c) => el('li', '', c.join(', ')))));
  }
  if (plan.added.length > 0) {
    section.append(
      el('h4', '', 'Added to the targets because'),
      el('ul', 'added', ...plan.added.map((a) => el('li', '', nameButton(a.service, select), `: ${a.reason}`))),
    );
  }
  const steps = el('ol', 'steps');
  for (const step of plan.steps) {
    steps.append(
      el(
        'li',
        `step step-${step.kind}`,
        el('span', 'step-kind', step.kind + (step.reversible ? '' : ' (irreversible)')),
        ' ',
        step.text,
        step.precondition === undefined ? null : el('div', 'step-detail', `before: ${step.precondition}`),
        step.verification === undefined ? null : el('div', 'step-detail', `verify: ${step.verification}`),
      ),
    );
  }
  section.append(el('h4', '', 'Steps'), steps);
  if (plan.warnings.length > 0) section.append(el('h4', '', 'Warnings'), el('ul', 'warnings', ...plan.warnings.map((w) => el('li', '', w))));
  return section;
}

function versionChange(plan: PlanView, service: string): string {
  const v = plan.versions[service];
  return v === undefined ? '' : `(${v.from ?? '?'} \u2192 ${v.to ?? '?'})`;
}

function namesRow(label: string, names: readonly string[], select: (name: string) => void, className: string, empty: string): HTMLElement {
  const row = el('div', `names ${className}`, el('span', 'label', `${label}: `));
  if (names.length === 0) row.append(el('span', 'none', empty));
  const list = el('ul', 'inline');
  for (const name of names) list.append(el('li', '', nameButton(name, select)));
  if (names.length > 0) row.append(list);
  return row;
}

function callsSection(title: string, edges: readonly ReportEdge[], other: (e: ReportEdge) => number, arrow: string, context: PanelContext): HTMLElement | null {
  if (edges.length === 0) return null;
  const list = el('ul', 'calls');
  for (const edge of edges.slice(0, MAX_LISTED_CALLS)) list.append(callItem(edge, context.data.nodes[other(edge)]!.id, arrow, context.select));
  const more: Child = edges.length > MAX_LISTED_CALLS ? el('p', 'more', `+${edges.length - MAX_LISTED_CALLS} more`) : null;
  return el('section', 'edges', el('h3', '', `${title} (${edges.length})`), list, more);
}

function callItem(edge: ReportEdge, name: string, arrow: string, select: (name: string) => void): HTMLElement {
  const swatch = el('span', 'swatch');
  swatch.style.background = edge.impact === undefined ? PLAIN_EDGE_COLOR : IMPACT_COLORS[edge.impact];
  const counts = `${edge.calls} call${edge.calls === 1 ? '' : 's'}${edge.errors > 0 ? `, ${edge.errors} error${edge.errors === 1 ? '' : 's'}` : ''}`;
  const impact = edge.impact === undefined ? '' : ` \u00b7 ${edge.impact}${edge.confidence === undefined ? '' : ` (${edge.confidence})`}`;
  const more = edge.operations.length - MAX_LISTED_OPERATIONS;
  const operations =
    edge.operations
      .slice(0, MAX_LISTED_OPERATIONS)
      .map(([name, calls]) => `${name} (${calls})`)
      .join(', ') + (more > 0 ? `, +${more} more` : '');
  return el(
    'li',
    edge.isNew ? 'call new' : 'call',
    swatch,
    `${arrow} `,
    nameButton(name, select),
    edge.isNew ? el('span', 'badge', 'new') : null,
    el('div', 'call-detail', `${edge.type}${edge.via === null ? '' : ` via ${edge.via}`} \u00b7 ${counts}${impact}`),
    operations === '' ? null : el('div', 'call-detail', operations),
    edge.reason === undefined ? null : el('div', 'call-reason', edge.reason),
  );
}
