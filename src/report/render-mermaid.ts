/**
 * Renders the graph as a Mermaid flowchart that GitHub draws in a pull request or a Markdown
 * file: synthetic node ids (`n0`, `n1`, ... in the view's order), quoted labels, one shape and
 * class per node kind, solid arrows for sync calls and dotted ones for async calls.
 *
 * Names come from traces and are untrusted, and Mermaid reads more than its grammar: it expands
 * `#name;` entity codes and `%%{...}%%` directives anywhere in the text, runs regular
 * expressions over whole lines before parsing, and Mermaid 11 passes labels through Markdown
 * (Mermaid 10 only those in backticks). `escapeLabel` writes every character that means
 * something to any of these as an entity code; its comment lists them. Checked against the
 * Mermaid sources (flow.jison, mermaidAPI/utils `encodeEntities`, handle-markdown-text.ts),
 * since GitHub runs a Mermaid version of its own choosing.
 */
import type { EdgeView, GraphView, Impact, NodeKind } from '../model.js';

const INDENT = '    ';
/**
 * Labels show at most this many characters of a name: GitHub refuses to draw a chart whose
 * text exceeds 50,000 characters, and one long name must not cost the whole picture.
 */
const MAX_LABEL_LENGTH = 120;

/** How a node of each kind opens and closes its label, in Mermaid 10 syntax. */
const SHAPES: Readonly<Record<NodeKind, readonly [string, string]>> = {
  service: ['["', '"]'],
  database: ['[("', '")]'],
  queue: ['[/"', '"/]'],
  external: ['{{"', '"}}'],
};

const KIND_ORDER: readonly NodeKind[] = ['service', 'database', 'queue', 'external'];

/** Same colours as the DOT reporter, so both pictures read alike. */
const KIND_CLASSES: Readonly<Record<NodeKind, string>> = {
  service: 'fill:#e8f0fb,stroke:#3b6ea5,color:#1a1a1a',
  database: 'fill:#fdf1dc,stroke:#9a6b16,color:#1a1a1a',
  queue: 'fill:#e6f4ea,stroke:#3c7a4c,color:#1a1a1a',
  external: 'fill:#f1ecf8,stroke:#6d4c9f,stroke-dasharray:4 3,color:#1a1a1a',
};
const ENTRYPOINT_CLASS = 'stroke-width:3px';

const IMPACT_ORDER: readonly Impact[] = ['independent', 'coordinated', 'data-migration'];

/**
 * Edge styles by impact. A `classDef` class reaches an edge only through an edge id (`e1@-->`),
 * syntax that Mermaid 10 rejects and GitHub's renderer need not have, so edges are styled with
 * `linkStyle`, which every version reads and which addresses edges by their position.
 */
const IMPACT_LINK_STYLES: Readonly<Record<Impact, string>> = {
  independent: 'stroke:#5f9e6e,stroke-width:1.5px',
  coordinated: 'stroke:#e07400,stroke-width:2.5px',
  'data-migration': 'stroke:#c62828,stroke-width:3px',
};

/** Renders `view` as a `flowchart LR`, nodes and edges in the view's order. */
export function renderMermaid(view: GraphView): string {
  const lines = ['flowchart LR'];
  const nodes = view.nodes;
  if (nodes.length === 0) {
    lines.push(`${INDENT}%% no calls found`);
    return lines.join('\n') + '\n';
  }

  const ids = new Map<string, string>();
  nodes.forEach((node, index) => ids.set(node.id, `n${index}`));
  const idOf = (name: string): string => ids.get(name) ?? '';

  for (const node of nodes) {
    const [open, close] = SHAPES[node.kind];
    lines.push(`${INDENT}${idOf(node.id)}${open}${escapeLabel(node.id)}${close}`);
  }
  for (const edge of view.edges) {
    const arrow = edge.type === 'async' ? '-.->' : '-->';
    lines.push(`${INDENT}${idOf(edge.from)} ${arrow}|"${edgeLabel(edge)}"| ${idOf(edge.to)}`);
  }

  for (const kind of KIND_ORDER) {
    const members = nodes.filter((node) => node.kind === kind);
    if (members.length === 0) continue;
    lines.push(`${INDENT}classDef ${kind} ${KIND_CLASSES[kind]}`);
    lines.push(`${INDENT}class ${members.map((node) => idOf(node.id)).join(',')} ${kind}`);
  }
  const entrypoints = nodes.filter((node) => node.entrypoint);
  if (entrypoints.length > 0) {
    lines.push(`${INDENT}classDef entrypoint ${ENTRYPOINT_CLASS}`);
    lines.push(`${INDENT}class ${entrypoints.map((node) => idOf(node.id)).join(',')} entrypoint`);
  }
  for (const impact of IMPACT_ORDER) {
    const positions = view.edges.flatMap((edge, index) => (edge.impact === impact ? [index] : []));
    if (positions.length === 0) continue;
    lines.push(`${INDENT}linkStyle ${positions.join(',')} ${IMPACT_LINK_STYLES[impact]}`);
  }
  return lines.join('\n') + '\n';
}

/** The same flowchart in a ```mermaid fence, for Markdown files and pull-request comments. */
export function renderMermaidMarkdown(view: GraphView): string {
  // Labels never contain a backtick or a line break, so the fence cannot be closed early.
  return '```mermaid\n' + renderMermaid(view) + '```\n';
}

/** `12 calls, 1 error (coordinated)`: short, since GitHub shows the chart at page width. */
function edgeLabel(edge: EdgeView): string {
  let label = plural(edge.calls, 'call');
  if (edge.errors > 0) label += `, ${plural(edge.errors, 'error')}`;
  if (edge.impact !== undefined) label += ` (${edge.impact})`;
  return escapeLabel(label);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Escaping

/**
 * Characters written as Mermaid entity codes (`#name;` or `#decimal;`), which Mermaid turns
 * into HTML entities only after parsing, so the parser and the Markdown pass never see them:
 * - `"` would end the quoted label;
 * - `#` would start an entity code of the attacker's choosing; `&` an HTML entity;
 * - `<` and `>` would be HTML tags in the label;
 * - `%` could form a `%%{init: ...}%%` directive, which Mermaid looks for anywhere in the text;
 * - `` ` `` `*` `~` `[` `]` `\` are Markdown (code, emphasis, strikethrough, links, escapes);
 * - `$` starts KaTeX math (`$$...$$`) in Mermaid 10.9 and later;
 * - `|` delimits edge labels;
 * - `@` makes an e-mail address, which Markdown turns into a link;
 * - `ﬂ` and `¶` are the markers Mermaid uses internally for entity codes.
 */
const ENTITY_CODES: Readonly<Record<string, string>> = {
  '"': '#quot;',
  '#': '#35;',
  '&': '#amp;',
  '<': '#lt;',
  '>': '#gt;',
  '%': '#37;',
  '`': '#96;',
  '*': '#42;',
  '~': '#126;',
  '[': '#91;',
  ']': '#93;',
  '\\': '#92;',
  $: '#36;',
  '|': '#124;',
  '@': '#64;',
  '\ufb02': '#64258;',
  '\u00b6': '#182;',
};

/**
 * A name as the inside of a quoted Mermaid label, shown as written on one line:
 * - line breaks, tabs, other control characters and runs of white space become one space, and
 *   the ends are trimmed (a label cannot hold a line break, and leading spaces are Markdown);
 *   past `MAX_LABEL_LENGTH` characters the rest is cut with an ellipsis;
 *   bidirectional overrides, which could show a name reversed, become U+FFFD;
 * - characters Mermaid reads as syntax are entity codes (see `ENTITY_CODES`); `_` too, unless
 *   it sits between letters or digits, where Markdown cannot read it as emphasis;
 * - a leading `-`, `+` or `1.` / `1)` would start a Markdown list, so that character is coded;
 *   so is the `.` of `www.` and the `:` of `://` (Markdown links) and of `fa:fa-` (Mermaid
 *   replaces `fa:fa-name` with a Font Awesome icon);
 * - the words `style`, `classDef` and `direction` get their first letter coded: Mermaid strips
 *   the last `;` of any line holding `style` or `classDef` (it takes the line for CSS), which
 *   would break an entity code, and its lexer reads any line holding `direction LR` (or TB, BT,
 *   RL) as a direction statement, swallowing the node on that line;
 * - an empty label becomes a no-break space, since Mermaid rejects `""`.
 */
function escapeLabel(text: string): string {
  let chars = [...text.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ').trim()].map((char) =>
    isLoneSurrogate(char) || isBidiControl(char) ? '\ufffd' : char,
  );
  if (chars.length > MAX_LABEL_LENGTH) chars = [...chars.slice(0, MAX_LABEL_LENGTH - 1), '…'];
  let out = '';
  chars.forEach((char, index) => {
    const code = ENTITY_CODES[char];
    const isIntraword = isWordChar(chars[index - 1]) && isWordChar(chars[index + 1]);
    if (code !== undefined) out += code;
    else if (char === '_' && !isIntraword) out += '#95;';
    else out += char;
  });
  out = out
    .replace(/^-/, '#45;')
    .replace(/^\+/, '#43;')
    .replace(/^(\d{1,9})\.(?= |$)/, '$1#46;')
    .replace(/^(\d{1,9})\)(?= |$)/, '$1#41;')
    .replace(/(www)\./gi, '$1#46;')
    .replace(/:(?=\/\/)/g, '#58;')
    .replace(/(fa[blrs]?):(?=fa-)/g, '$1#58;')
    .replace(/style|classdef|direction/gi, (word) => `#${word.charCodeAt(0)};${word.slice(1)}`);
  return out === '' ? '#160;' : out;
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /^[\p{L}\p{N}]$/u.test(char);
}

function isBidiControl(char: string): boolean {
  return /^[\u202a-\u202e\u2066-\u2069]$/.test(char);
}

function isLoneSurrogate(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code >= 0xd800 && code <= 0xdfff;
}
