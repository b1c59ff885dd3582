/**
 * Renders the outcome of `rollgraph nightly` (CONTRACT §5, §6) as the short summary a person
 * reads on stderr: one verdict line, then one entry per new edge (`+`), impact change (`!`) and
 * gone edge (`-`), the inputs skipped because the store already holds them, and how to accept.
 * Entries follow the view's order; each is one logical line, wrapped at 100 columns.
 *
 * Names come from traces and a terminal would obey their control characters: `showControls`
 * writes them as `\xHH` / `\uHHHH`, as the other text reporters do. The accept commands are
 * quoted for the shell (`shellWord`), so that copying one runs exactly what it shows.
 *
 * The verdict, the times and the accept commands are exported for the Markdown report, so both
 * say the same thing in the same words.
 */
import type { EdgeView, Impact, NewEdgeView, NightlyView } from '../model.js';
import { plural, showControls, wrap } from './text-format.js';

const WIDTH = 100;
/** Continuation lines of an entry are indented past its marker. */
const HANGING = '    ';

/** Renders `view` for a terminal. */
export function renderNightlyText(view: NightlyView): string {
  const lines = wrap(verdictLine(view), '', HANGING, WIDTH);
  if (view.skipped.length > 0) {
    lines.push(...wrap(`${skippedText(view)}: ${view.skipped.map(showControls).join(', ')}`, '', HANGING, WIDTH));
  }
  if (view.baseline === 'established') return `${lines.join('\n')}\n`;

  for (const edge of view.newEdges) lines.push(...wrap(newEdgeText(edge), '+ ', HANGING, WIDTH));
  for (const change of view.impactChanges) {
    const edge = `${showControls(change.from)} -> ${showControls(change.to)}`;
    const text = `${edge}  ${change.was} -> ${change.now} (${direction(change.was, change.now)}): ${showControls(change.reason)}`;
    lines.push(...wrap(text, '! ', HANGING, WIDTH));
  }
  for (const edge of view.goneEdges) lines.push(...wrap(goneEdgeText(edge, view), '- ', HANGING, WIDTH));

  // Commands are never wrapped: a line break inside one would break the copy.
  const first = acceptableEdges(view)[0];
  if (first !== undefined) {
    lines.push('to accept all:  rollgraph accept --all --note "..."');
    lines.push(`or one by one:  ${acceptCommand(first.from, first.to)} --note "..."`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Shared with the Markdown report

/**
 * `baseline established`, `nothing new`, or what was flagged: `2 new edges, 1 impact change,
 * 1 gone edge` (counts of zero left out).
 */
export function nightlyVerdict(view: NightlyView): string {
  if (view.baseline === 'established') return 'baseline established';
  const parts: string[] = [];
  if (view.newEdges.length > 0) parts.push(plural(view.newEdges.length, 'new edge'));
  if (view.impactChanges.length > 0) parts.push(plural(view.impactChanges.length, 'impact change'));
  if (view.goneEdges.length > 0) parts.push(plural(view.goneEdges.length, 'gone edge'));
  return parts.length === 0 ? 'nothing new' : parts.join(', ');
}

/** `skipped 2 inputs already in the store` (the names follow). */
export function skippedText(view: NightlyView): string {
  return `skipped ${plural(view.skipped.length, 'input')} already in the store`;
}

/** The edges `rollgraph accept` would take into the baseline: new ones, then changed impacts. */
export function acceptableEdges(view: NightlyView): readonly { readonly from: string; readonly to: string }[] {
  if (view.baseline === 'established') return [];
  return [...view.newEdges, ...view.impactChanges];
}

/** `rollgraph accept 'checkout->fraud-check'`: the argument is always quoted, for its `>`. */
export function acceptCommand(from: string, to: string): string {
  return `rollgraph accept ${shellWord(`${from}->${to}`)}`;
}

/**
 * `text` as one shell word that stands for exactly `text`. Single quotes keep everything
 * literal (`'` itself is written `'\''`). A name holding control or bidirectional characters
 * cannot be shown literally, so it is written as bash/zsh ANSI-C quoting, `$'...'`, with the
 * same `\xHH` / `\uHHHH` escapes `showControls` prints, which the shell turns back into the
 * characters.
 */
export function shellWord(text: string): string {
  if (showControls(text) === text) return `'${text.replace(/'/g, `'\\''`)}'`;
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === "'") out += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    // C1 controls as code points: `\x80` would be one raw byte, not the character.
    else if (showControls(char) !== char) out += `\\u${hex(code, 4)}`;
    else out += char;
  }
  return `$'${out}'`;
}

/** `2026-11-29T10:00:12Z`: ISO 8601 to the second; anything else as given, made visible. */
export function showTime(time: string | null): string {
  if (time === null) return 'unknown';
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(time);
  return match?.[1] === undefined ? showControls(time) : `${match[1]}Z`;
}

/** Whole days from `earlier` to `later`, or null when either is not a time. */
export function daysBetween(earlier: string | null, later: string | null): number | null {
  if (earlier === null || later === null) return null;
  const from = Date.parse(earlier);
  const to = Date.parse(later);
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  return Math.max(0, Math.floor((to - from) / 86_400_000));
}

/** `9 days before the newest span`, or '' when the times do not say. */
function ageText(edge: EdgeView, view: NightlyView): string {
  const days = daysBetween(edge.lastSeen, view.newestSpan);
  if (days === null) return '';
  return days === 0 ? 'the day of the newest span' : `${plural(days, 'day')} before the newest span`;
}

/**
 * `last seen 2026-11-19T16:42:07Z (10 days before the newest span)`; a baseline edge with no
 * call in the history read has no time to show.
 */
export function lastSeenText(edge: EdgeView, view: NightlyView, escape: (text: string) => string): string {
  if (edge.lastSeen === null) return 'not seen in the history read';
  const age = ageText(edge, view);
  return `last seen ${escape(showTime(edge.lastSeen))}${age === '' ? '' : ` (${age})`}`;
}

/** Impacts from loosest to strictest (CONTRACT §3). */
const STRICTNESS: readonly Impact[] = ['independent', 'coordinated', 'data-migration'];

/** Whether `now` asks more of a rollback than `was`. */
export function direction(was: Impact, now: Impact): 'stricter' | 'looser' | 'same' {
  const delta = STRICTNESS.indexOf(now) - STRICTNESS.indexOf(was);
  return delta > 0 ? 'stricter' : delta < 0 ? 'looser' : 'same';
}

/** `coordinated (assumed)`; `impact unknown` for an edge the tagger did not reach. */
export function impactText(edge: EdgeView): string {
  if (edge.impact === undefined) return 'impact unknown';
  return edge.confidence === undefined ? edge.impact : `${edge.impact} (${edge.confidence})`;
}

/** `sync`, or `async via kafka:orders` when the broker is not one of the ends. */
export function typeText(edge: EdgeView, showName: (name: string) => string): string {
  if (edge.via !== null && edge.via !== edge.from && edge.via !== edge.to) return `${edge.type} via ${showName(edge.via)}`;
  return edge.type;
}

// ---------------------------------------------------------------------------------------------
// Lines

/** `nightly run 2: 2 new edges, 1 gone edge (1,377 spans, 18 edges; baseline 16 edges)`. */
function verdictLine(view: NightlyView): string {
  const run = `nightly run ${view.run.id}`;
  if (view.baseline === 'established') {
    return (
      `${run}: baseline established with ${plural(view.baselineEdges, 'edge')} ` +
      `(${plural(view.run.spans, 'span')}); nothing flagged`
    );
  }
  return (
    `${run}: ${nightlyVerdict(view)} (${plural(view.run.spans, 'span')}, ${plural(view.run.edges, 'edge')}; ` +
    `baseline ${plural(view.baselineEdges, 'edge')})`
  );
}

/** `checkout -> fraud-check  sync, coordinated (assumed), 96 calls, first seen ..., introduced by checkout 2.6.0`. */
function newEdgeText(edge: NewEdgeView): string {
  const facts = [typeText(edge, showControls), impactText(edge), plural(edge.calls, 'call')];
  if (edge.errors > 0) facts.push(plural(edge.errors, 'error'));
  facts.push(`first seen ${showTime(edge.firstSeen)}`);
  facts.push(
    edge.introducedBy === null
      ? `introduced by ${showControls(edge.from)} (version unknown)`
      : `introduced by ${showControls(edge.from)} ${showControls(edge.introducedBy)}`,
  );
  return `${showControls(edge.from)} -> ${showControls(edge.to)}  ${facts.join(', ')}`;
}

/** `order-worker -> legacy-billing  sync, coordinated, last seen ... (10 days before the newest span)`. */
function goneEdgeText(edge: EdgeView, view: NightlyView): string {
  const facts: string[] = [edge.type];
  if (edge.impact !== undefined) facts.push(edge.impact);
  facts.push(lastSeenText(edge, view, showControls));
  return `${showControls(edge.from)} -> ${showControls(edge.to)}  ${facts.join(', ')}`;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}
