/**
 * Renders the outcome of `rollgraph nightly` (CONTRACT §5, §6) as a Markdown report for a
 * pull-request comment, a job summary or a CI artifact: a title with the verdict, a table of
 * everything flagged, optionally a Mermaid chart of the flagged edges and their neighbours, then
 * one section per new edge with its evidence (first seen, the caller version that introduced
 * it, operations, sample traces, impact with its confidence and reason, calls and errors), the
 * impact changes, the gone edges, and the commands that accept what was flagged.
 *
 * Names, versions, operations and reasons come from traces and are untrusted: names are code
 * spans and sentences are escaped (markdown-text.ts, as in the plan runbook); the accept
 * commands sit in a fenced block, quoted for the shell, with no control character left to end
 * the fence. The chart is render-mermaid.ts's, which escapes its labels for Mermaid.
 */
import type { EdgeView, GraphView, ImpactChange, NewEdgeView, NightlyView, OperationView } from '../model.js';
import { codeSpan, escapeText } from './markdown-text.js';
import { renderMermaidMarkdown } from './render-mermaid.js';
import {
  acceptCommand,
  acceptableEdges,
  direction,
  impactText,
  lastSeenText,
  nightlyVerdict,
  showTime,
  skippedText,
  typeText,
} from './render-nightly-text.js';
import { plural } from './text-format.js';

/** Operations listed under one new edge; past this, one line says how many more there are. */
const MAX_OPERATIONS = 5;

export interface NightlyMarkdownOptions {
  /** A small graph of the new (and changed) edges and their neighbours, drawn as a Mermaid chart. */
  readonly graphNeighbours?: GraphView;
  /** Where the HTML report written with this one is, relative to it: linked under the title. */
  readonly htmlReport?: string;
}

/** Renders `view` as GitHub-flavoured Markdown, sections in the view's order. */
export function renderNightlyMarkdown(view: NightlyView, options: NightlyMarkdownOptions = {}): string {
  const lines = [`# rollgraph nightly: ${nightlyVerdict(view)}`, ''];
  if (view.baseline === 'established') {
    lines.push(
      `Run ${view.run.id} read ${plural(view.run.spans, 'span')} and established the baseline with ` +
        `${plural(view.baselineEdges, 'edge')}. Nothing is flagged: from the next run on, new edges, ` +
        'impact changes and gone edges are reported against this baseline.',
    );
    lines.push(...renderSkipped(view));
    return `${lines.join('\n')}\n`;
  }

  lines.push(
    `Run ${view.run.id} read ${plural(view.run.spans, 'span')}; the graph now holds ${plural(view.run.edges, 'edge')}, ` +
      `compared with a baseline of ${plural(view.baselineEdges, 'accepted edge')}.`,
  );
  lines.push(...renderSkipped(view));
  if (options.htmlReport !== undefined) {
    lines.push('', `The whole graph, with the new edges highlighted and a revert plan for every service: [${escapeText(options.htmlReport)}](${encodeURI(options.htmlReport).replace(/\(/g, '%28').replace(/\)/g, '%29')}).`);
  }
  const flagged = view.newEdges.length + view.impactChanges.length + view.goneEdges.length;
  if (flagged === 0) {
    lines.push('', 'Nothing is flagged: no new edge, no impact change, no gone edge.');
  } else {
    lines.push('', ...renderOverview(view));
  }

  const chart = options.graphNeighbours;
  if (chart !== undefined && chart.nodes.length > 0) {
    lines.push(
      '',
      '## Where the flagged edges sit',
      '',
      'The new and changed edges with their neighbours; each arrow is labelled with its calls and impact.',
      '',
      ...renderMermaidMarkdown(chart).trimEnd().split('\n'),
    );
  }
  if (view.newEdges.length > 0) {
    lines.push('', `## New edges (${view.newEdges.length})`);
    for (const edge of view.newEdges) lines.push('', ...renderNewEdge(edge));
  }
  if (view.impactChanges.length > 0) lines.push('', ...renderImpactChanges(view.impactChanges));
  if (view.goneEdges.length > 0) lines.push('', ...renderGoneEdges(view));
  const accept = renderAccept(view);
  if (accept.length > 0) lines.push('', ...accept);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Overview

function renderSkipped(view: NightlyView): string[] {
  if (view.skipped.length === 0) return [];
  const text = skippedText(view);
  return ['', `${text.charAt(0).toUpperCase()}${text.slice(1)}: ${view.skipped.map((file) => codeSpan(file)).join(', ')}.`];
}

/** One row per flagged edge: what changed, and its impact. */
function renderOverview(view: NightlyView): string[] {
  const rows = ['| Change | Edge | Impact |', '| --- | --- | --- |'];
  for (const edge of view.newEdges) rows.push(`| new | ${edgeName(edge, true)} | ${impactText(edge)} |`);
  for (const change of view.impactChanges) {
    rows.push(`| impact | ${edgeName(change, true)} | ${change.was} → **${change.now}** (${direction(change.was, change.now)}) |`);
  }
  for (const edge of view.goneEdges) rows.push(`| gone | ${edgeName(edge, true)} | ${edge.impact ?? 'impact unknown'} |`);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Sections

function renderNewEdge(edge: NewEdgeView): string[] {
  const lines = [`### ${edgeName(edge)}`, ''];
  const reason = edge.reason === undefined ? '' : `: ${escapeText(edge.reason)}`;
  lines.push(`- **Impact:** ${impactText(edge)}${reason}`);
  lines.push(
    edge.introducedBy === null
      ? `- **Introduced by:** ${codeSpan(edge.from)}, version unknown (its spans carry no \`service.version\`)`
      : `- **Introduced by:** ${codeSpan(edge.from)} ${codeSpan(edge.introducedBy)}`,
  );
  lines.push(`- **First seen:** ${escapeText(showTime(edge.firstSeen))}; last seen ${escapeText(showTime(edge.lastSeen))}`);
  lines.push(`- **Type:** ${typeText(edge, (name) => codeSpan(name))}`);
  lines.push(`- **Calls:** ${plural(edge.calls, 'call')}, ${plural(edge.errors, 'error')}`);
  if (edge.environments.length > 0) {
    lines.push(`- **Environments:** ${edge.environments.map((name) => codeSpan(name)).join(', ')}`);
  }
  if (edge.operations.length > 0) {
    lines.push('- **Operations:**');
    const shown = edge.operations.slice(0, MAX_OPERATIONS);
    for (const operation of shown) lines.push(`  - ${operationText(operation, edge)}`);
    if (edge.operations.length > shown.length) lines.push(`  - and ${edge.operations.length - shown.length} more`);
  }
  if (edge.sampleTraceIds.length > 0) {
    lines.push(`- **Sample traces:** ${edge.sampleTraceIds.map((id) => codeSpan(id)).join(', ')}`);
  }
  return lines;
}

/** `` `POST /v1/score` (96 calls): served by `1.0.0`; used by `2.6.0` ``. */
function operationText(operation: OperationView, edge: EdgeView): string {
  const details: string[] = [];
  if (operation.calleeVersions.length > 0) {
    details.push(`served by ${codeSpan(edge.to)} ${operation.calleeVersions.map((v) => codeSpan(v)).join(', ')}`);
  }
  if (operation.callerVersions.length > 0) {
    details.push(`used by ${codeSpan(edge.from)} ${operation.callerVersions.map((v) => codeSpan(v)).join(', ')}`);
  }
  const head = `${codeSpan(operation.name)} (${plural(operation.calls, 'call')})`;
  return details.length === 0 ? head : `${head}: ${details.join('; ')}`;
}

function renderImpactChanges(changes: readonly ImpactChange[]): string[] {
  const lines = [
    `## Impact changes (${changes.length})`,
    '',
    'Edges in the baseline whose rollback impact changed (from least to most strict: independent, coordinated, data-migration):',
    '',
    '| Edge | Was | Now | Why |',
    '| --- | --- | --- | --- |',
  ];
  for (const change of changes) {
    const now = `**${change.now}** (${direction(change.was, change.now)})`;
    lines.push(`| ${edgeName(change, true)} | ${change.was} | ${now} | ${escapeText(change.reason)} |`);
  }
  return lines;
}

function renderGoneEdges(view: NightlyView): string[] {
  const since =
    view.newestSpan === null
      ? 'with no call in the history read'
      : `not seen in the ${plural(view.staleAfterDays, 'day')} up to the newest span in the store ` +
        `(${escapeText(showTime(view.newestSpan))})`;
  const lines = [
    `## Gone edges (${view.goneEdges.length})`,
    '',
    `In the baseline, but ${since}:`,
    '',
    '| Edge | Type | Impact | Last seen |',
    '| --- | --- | --- | --- |',
  ];
  for (const edge of view.goneEdges) {
    const lastSeen = lastSeenText(edge, view, escapeText).replace(/^last seen /, '');
    lines.push(`| ${edgeName(edge, true)} | ${edge.type} | ${edge.impact ?? 'unknown'} | ${lastSeen} |`);
  }
  return lines;
}

/** The commands, one per edge, then all at once. */
function renderAccept(view: NightlyView): string[] {
  const edges = acceptableEdges(view);
  if (edges.length === 0) return [];
  const lines = [
    '## Accepting',
    '',
    'Review each edge above. To take the expected ones into the baseline, so that later runs no longer ' +
      'flag them, run against the same store (`--db FILE` or `ROLLGRAPH_DB`), saying why:',
    '',
    '```sh',
  ];
  const commands = (list: readonly { readonly from: string; readonly to: string }[]): string[] =>
    list.map((edge) => `${acceptCommand(edge.from, edge.to)} --note "..."`);
  if (view.newEdges.length > 0) lines.push('# new edges', ...commands(view.newEdges));
  if (view.impactChanges.length > 0) lines.push('# impact changes: the baseline takes the new impact', ...commands(view.impactChanges));
  lines.push(
    '```',
    '',
    'or accept every edge the graph now holds, the flagged ones included:',
    '',
    '```sh',
    'rollgraph accept --all --note "..."',
    '```',
  );
  return lines;
}

// ---------------------------------------------------------------------------------------------

/** `` `checkout` → `fraud-check` ``. */
function edgeName(edge: { readonly from: string; readonly to: string }, inTable = false): string {
  return `${codeSpan(edge.from, inTable)} → ${codeSpan(edge.to, inTable)}`;
}
