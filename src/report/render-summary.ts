/**
 * The ingest summary people read on stderr after every ingest: what was read, what the graph
 * holds, what could not be paired or resolved, and every rejected record as `file:line: field: reason`.
 */
import type { IngestStats, Rejection } from '../model.js';

export interface SummaryView {
  readonly stats: IngestStats;
  readonly services: number;
  readonly edges: number;
  readonly rejected: readonly Rejection[];
  readonly rejectedCount: number;
  readonly warnings: readonly string[];
}

/** Rejections listed one by one before the rest are only counted. */
export const SHOWN_REJECTIONS = 20;

export function formatRejection(r: Rejection): string {
  return `${r.file}:${r.line}: ${r.field === null ? '' : `${r.field}: `}${r.reason}`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function renderSummary(view: SummaryView): string {
  const s = view.stats;
  const lines = [
    `read ${count(s.files, 'input')}: ${count(s.spans, 'span')} in ${count(s.traces, 'trace')} -> ${count(view.services, 'service')}, ${count(view.edges, 'edge')}`,
  ];
  const notes = [
    `${count(s.unresolvedExits, 'unresolved exit')}${s.unresolvedExits > 0 ? ' (client spans naming no peer, database, queue or host)' : ''}`,
    `${count(s.selfCalls, 'self-call')}`,
    `${count(s.missingParents, 'span')} with a missing parent`,
  ];
  if (s.unresolvedLinks > 0) notes.push(count(s.unresolvedLinks, 'unresolved link'));
  if (s.duplicateSpans > 0) notes.push(count(s.duplicateSpans, 'duplicate span'));
  if (s.conflictingSpans > 0) notes.push(`${count(s.conflictingSpans, 'conflicting duplicate')} (first kept)`);
  if (s.evictedTraces > 0) notes.push(`${count(s.evictedTraces, 'trace')} finalised early by the pairing window`);
  if (s.ignoredCalls > 0) notes.push(`${count(s.ignoredCalls, 'call')} ignored by the config file`);
  if (s.lateSpans > 0) notes.push(`${count(s.lateSpans, 'span')} arrived after their trace was finalised`);
  lines.push(`  ${notes.join(', ')}`);
  for (const w of view.warnings) lines.push(`  warning: ${w}`);
  if (view.rejectedCount > 0) {
    lines.push(`  rejected ${count(view.rejectedCount, 'record')}:`);
    const shown = view.rejected.slice(0, SHOWN_REJECTIONS);
    for (const r of shown) lines.push(`    ${formatRejection(r)}`);
    if (view.rejectedCount > shown.length) lines.push(`    ... and ${(view.rejectedCount - shown.length).toLocaleString('en-US')} more`);
  }
  return `${lines.join('\n')}\n`;
}
