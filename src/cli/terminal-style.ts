/**
 * Colour for people at a terminal, never for files, pipes or programs: the text is the same,
 * only ANSI colour codes are added. Whether to colour follows the common conventions, in the
 * order Node.js itself applies them: `FORCE_COLOR` (any value but `0` or `false`) forces colour
 * on, even into a pipe (CI logs that show colours); `NO_COLOR` (https://no-color.org, any
 * non-empty value) turns it off; `TERM=dumb` turns it off; otherwise colour only on a TTY.
 *
 * The reporters stay pure and colourless (their golden files compare bytes); these functions
 * colour their output by its line structure, which the reporters fix: markers at the start of a
 * line, headings unindented. Names from traces cannot fake a marker: they never start a line,
 * and control characters in them (ESC included) are shown escaped.
 */
import type { Writable } from './io.js';

export function shouldUseColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean | undefined): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

/** Whether to colour what goes to `stream`. */
export function isColorStream(env: Readonly<Record<string, string | undefined>>, stream: Writable): boolean {
  return shouldUseColor(env, stream.isTTY);
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;
type Style = keyof typeof CODES;

export function paint(text: string, ...styles: Style[]): string {
  return styles.reduce((inner, style) => `\u001b[${CODES[style][0]}m${inner}\u001b[${CODES[style][1]}m`, text);
}

/** `rollgraph: ...` error lines in red. */
export function colorError(text: string): string {
  return eachLine(text, (line) => (line.startsWith('rollgraph:') ? paint(line, 'red') : line));
}

/**
 * The nightly summary (render-nightly-text.ts): the verdict in bold, new edges (`+`) in
 * yellow, impact changes (`!`) in red, gone edges (`-`) dimmed; an entry's continuation lines
 * (indented) take its colour.
 */
export function colorNightlyText(text: string): string {
  const ENTRY: Readonly<Record<string, Style>> = { '+': 'yellow', '!': 'red', '-': 'dim' };
  let current: Style | null = null;
  let first = true;
  return eachLine(text, (line) => {
    if (first) {
      first = false;
      return paint(line, 'bold');
    }
    if (line.startsWith(' ')) return current === null ? line : paint(line, current);
    current = line[1] === ' ' ? (ENTRY[line[0] ?? ''] ?? null) : null;
    return current === null ? line : paint(line, current);
  });
}

/**
 * The impact text (render-impact-text.ts): the unindented lines (what is rolled back, the
 * headings, the plan line) in bold; the callers that must revert in yellow, the writes to
 * compensate in red, the unaffected in green.
 */
export function colorImpactText(text: string): string {
  const HEADINGS: readonly [string, Style][] = [
    ['must revert with it', 'yellow'],
    ['writes to compensate', 'red'],
    ['third parties with side effects', 'yellow'],
    ['unaffected', 'green'],
  ];
  return eachLine(text, (line) => {
    if (line === '' || line.startsWith(' ')) return line;
    const colour = HEADINGS.find(([start]) => line.startsWith(start) && !line.endsWith(': none'))?.[1];
    return colour === undefined ? paint(line, 'bold') : paint(line, 'bold', colour);
  });
}

function eachLine(text: string, style: (line: string) => string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : style(line)))
    .join('\n');
}
