/**
 * Renders the graph as Graphviz DOT for human review (`export --format dot`): one node per
 * service, database, queue and third-party API, one edge per call pair, and a legend.
 *
 * Every name comes from traces and is untrusted. Names are only ever written as quoted DOT
 * strings, never HTML labels, so `<`, `>` and `&` stay plain text that Graphviz escapes in its
 * SVG output. Inside a quoted string, `quoteId` and `escapeLabel` handle `"`, `\` (which would
 * start a Graphviz escape such as `\N` or `\G`), line breaks and control characters (which
 * XML output cannot carry).
 */
import type { EdgeView, GraphView, Impact, NodeKind, NodeView } from '../model.js';

const FONT = 'Helvetica,Arial,sans-serif';

/** Operations named on an edge label; past this, the last line becomes "+N more". */
const MAX_OPERATION_LINES = 3;
/** Labels show at most this many characters of a name; ids always keep the whole name. */
const MAX_NAME_LENGTH = 120;
const MAX_OPERATION_LENGTH = 48;
const MAX_VERSION_LENGTH = 40;
/**
 * Longer quoted ids are split into `"..." + "..."`: Graphviz 2.4x (still the packaged
 * version on many Linux distributions) rejects a quoted string longer than 16 KiB.
 */
const MAX_QUOTED_BYTES = 4096;

interface KindStyle {
  readonly noun: string;
  readonly shape: string;
  readonly style: string;
  readonly fill: string;
  readonly border: string;
}

const KIND_STYLES: Readonly<Record<NodeKind, KindStyle>> = {
  service: { noun: 'service', shape: 'box', style: 'rounded,filled', fill: '#e8f0fb', border: '#3b6ea5' },
  database: { noun: 'database', shape: 'cylinder', style: 'filled', fill: '#fdf1dc', border: '#9a6b16' },
  queue: { noun: 'queue', shape: 'cds', style: 'filled', fill: '#e6f4ea', border: '#3c7a4c' },
  external: {
    noun: 'third-party API',
    shape: 'hexagon',
    style: 'filled,dashed',
    fill: '#f1ecf8',
    border: '#6d4c9f',
  },
};

const ENTRYPOINT_PENWIDTH = '2.5';
const PLAIN_EDGE_COLOR = '#555555';

const IMPACT_ORDER: readonly Impact[] = ['independent', 'coordinated', 'data-migration'];

const IMPACT_STYLES: Readonly<Record<Impact, { readonly color: string; readonly penwidth: string }>> = {
  independent: { color: '#5f9e6e', penwidth: '1.2' },
  coordinated: { color: '#e07400', penwidth: '2' },
  'data-migration': { color: '#c62828', penwidth: '2.4' },
};

/** Renders `view` as a DOT digraph named `rollgraph`, nodes and edges in the view's order. */
export function renderDot(view: GraphView): string {
  const nodes = view.nodes;
  const lines = [
    'digraph rollgraph {',
    `  graph [rankdir=LR, fontname="${FONT}", fontsize=11, nodesep=0.25, ranksep=0.8, newrank=true];`,
    `  node [fontname="${FONT}", fontsize=11, margin="0.15,0.07"];`,
    `  edge [fontname="${FONT}", fontsize=9, color="${PLAIN_EDGE_COLOR}", fontcolor="#333333", ` +
      'arrowsize=0.7];',
  ];
  if (nodes.length === 0) {
    lines.push('  label="no calls found";', '}');
    return lines.join('\n') + '\n';
  }
  lines.push('', ...renderLegend(view, nodes), '');
  for (const node of nodes) lines.push(`  ${renderNode(node)}`);
  if (view.edges.length > 0) lines.push('');
  for (const edge of view.edges) lines.push(`  ${renderEdge(edge)}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Nodes and edges

/** Name, current version (the last one seen) and whether it is an entry point. */
function renderNode(node: NodeView): string {
  const style = KIND_STYLES[node.kind];
  const label = [escapeLabel(truncate(node.id, MAX_NAME_LENGTH))];
  const current = node.versions.at(-1);
  if (current !== undefined) label.push(escapeLabel(truncate(current, MAX_VERSION_LENGTH)));
  if (node.entrypoint) label.push('(entry point)');
  const attributes = [
    `label="${label.join('\\n')}"`,
    `shape=${style.shape}`,
    `style="${style.style}"`,
    `fillcolor="${style.fill}"`,
    `color="${style.border}"`,
  ];
  if (node.entrypoint) attributes.push(`penwidth=${ENTRYPOINT_PENWIDTH}`);
  return `${quoteId(node.id)} [${attributes.join(', ')}];`;
}

function renderEdge(edge: EdgeView): string {
  // `\l` ends each line left-aligned: the lines of a label read as a small list.
  const attributes = [`label="${edgeLabel(edge).join('\\l')}\\l"`];
  if (edge.type === 'async') attributes.push('style=dashed');
  if (edge.impact !== undefined) {
    const impact = IMPACT_STYLES[edge.impact];
    attributes.push(`color="${impact.color}"`, `penwidth=${impact.penwidth}`);
  }
  return `${quoteId(edge.from)} -> ${quoteId(edge.to)} [${attributes.join(', ')}];`;
}

/** Escaped label lines: counts and impact, the queue it goes through, then operations. */
function edgeLabel(edge: EdgeView): string[] {
  let counts = plural(edge.calls, 'call');
  if (edge.errors > 0) counts += `, ${plural(edge.errors, 'error')}`;
  if (edge.impact !== undefined) counts += ` [${edge.impact}]`;
  const lines = [counts];
  if (edge.via !== null && edge.via !== edge.from && edge.via !== edge.to) {
    lines.push(`via ${escapeLabel(truncate(edge.via, MAX_NAME_LENGTH), '\\l')}`);
  }
  for (const line of operationLines(edge)) lines.push(escapeLabel(line, '\\l'));
  return lines;
}

/** Most called first; when they do not all fit, the last line says how many are left out. */
function operationLines(edge: EdgeView): string[] {
  const operations = [...edge.operations].sort(
    (a, b) => b.calls - a.calls || compareStrings(a.name, b.name),
  );
  const shown =
    operations.length > MAX_OPERATION_LINES
      ? operations.slice(0, MAX_OPERATION_LINES - 1)
      : operations;
  const lines = shown.map(
    (operation) => `${truncate(operation.name, MAX_OPERATION_LENGTH)} (${operation.calls})`,
  );
  if (shown.length < operations.length) lines.push(`+${operations.length - shown.length} more`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Legend

/**
 * A legend cluster in two columns: sample nodes in pairs, then one sample edge per line style
 * and per impact present. Written before the real nodes, it is placed below them, in the
 * first ranks, so it never lengthens the graph's own ranks. Its ids are chosen so that they
 * cannot collide with a node from the traces.
 */
function renderLegend(view: GraphView, nodes: readonly NodeView[]): string[] {
  const taken = new Set(nodes.map((node) => node.id));
  const pick = (wanted: string): string => {
    let id = wanted;
    for (let n = 2; taken.has(id); n += 1) id = `${wanted} ${n}`;
    taken.add(id);
    return quoteId(id);
  };
  const lines = [
    '  subgraph cluster_legend {',
    '    label="Legend"; labeljust=l; fontsize=10;',
    '    style="rounded,filled"; color="#bbbbbb"; fillcolor="#fafafa";',
    '    node [fontsize=9, height=0.3, margin="0.08,0.04"];',
    '    edge [fontsize=8, arrowsize=0.6];',
  ];
  const sampleNode = (kind: NodeKind, label: string, extra = ''): string => {
    const style = KIND_STYLES[kind];
    const id = pick(`legend ${label}`);
    lines.push(
      `    ${id} [label="${label}", shape=${style.shape}, style="${style.style}", ` +
        `fillcolor="${style.fill}", color="${style.border}"${extra}];`,
    );
    return id;
  };

  const rows: (readonly [string, string])[] = [
    [sampleNode('service', 'service'), sampleNode('database', 'database')],
    [sampleNode('queue', 'queue'), sampleNode('external', KIND_STYLES.external.noun)],
  ];
  const entrypoint = sampleNode('service', 'entry point', `, penwidth=${ENTRYPOINT_PENWIDTH}`);
  const spacer = pick('legend spacer');
  lines.push(`    ${spacer} [label="", shape=none, width=0.1, height=0.1];`);
  rows.push([entrypoint, spacer]);
  for (const [left, right] of rows) lines.push(`    ${left} -> ${right} [style=invis];`);

  const samples = [
    { label: 'sync call', attributes: '' },
    { label: 'async call (queue)', attributes: ' [style=dashed]' },
  ];
  for (const impact of IMPACT_ORDER) {
    if (!view.edges.some((edge) => edge.impact === impact)) continue;
    const style = IMPACT_STYLES[impact];
    samples.push({
      label: `rollback: ${impact}`,
      attributes: ` [color="${style.color}", penwidth=${style.penwidth}]`,
    });
  }
  for (const sample of samples) {
    // The text is the tail node, not an edge label: dot gives edge labels a rank of their own,
    // which would bend the sample edges out of line.
    const tail = pick(`legend ${sample.label}`);
    const head = pick(`legend ${sample.label} end`);
    lines.push(`    ${tail} [label="${sample.label}", shape=plaintext, margin="0.06,0"];`);
    lines.push(`    ${head} [label="", shape=point, width=0.06];`);
    lines.push(`    ${tail} -> ${head}${sample.attributes};`);
  }
  lines.push('  }');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Escaping

/**
 * A node name as a quoted DOT id. The escaping is injective, so distinct names never merge
 * into one node: `\` and `"` are backslash-escaped, control characters become `\xHH`, unpaired
 * UTF-16 surrogates (which UTF-8 cannot encode) and bidirectional controls `\uHHHH`; Graphviz
 * keeps such sequences verbatim in an id (its lexer only unescapes `\"`). A leading `%` is
 * `\x25`, since Graphviz reserves names starting with `%` for anonymous objects and prints them
 * as `%13` in SVG tooltips.
 */
function quoteId(name: string): string {
  const units: string[] = [];
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '%' && units.length === 0) units.push('\\x25');
    else if (char === '\\') units.push('\\\\');
    else if (char === '"') units.push('\\"');
    else if (char === '\n') units.push('\\n');
    else if (char === '\r') units.push('\\r');
    else if (char === '\t') units.push('\\t');
    else if (isControl(code)) units.push(`\\x${hex(code, 2)}`);
    else if (isLoneSurrogate(code) || isBidiControl(code)) units.push(`\\u${hex(code, 4)}`);
    else units.push(char);
  }
  // Split between escape sequences, never inside one.
  const chunks: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const unit of units) {
    const size = utf8Length(unit);
    if (bytes + size > MAX_QUOTED_BYTES) {
      chunks.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += unit;
    bytes += size;
  }
  chunks.push(chunk);
  return chunks.map((part) => `"${part}"`).join(' + ');
}

/**
 * Text as the inside of a quoted DOT label, shown as written. A label is an "escString": `\\`
 * shows one backslash and `\n` breaks the line, while `\N`, `\G`, `\E`, `\T`, `\H` and `\L`
 * would be replaced by other names, so every backslash is doubled. A line break in the text
 * breaks the label (with `lineBreak`, `\l` to left-align); a tab shows as a space; other
 * control characters show as their Unicode control pictures (U+2400 block), or U+FFFD like
 * unpaired surrogates and bidirectional controls, since SVG and PNG cannot carry them.
 */
function escapeLabel(text: string, lineBreak = '\\n'): string {
  let out = '';
  for (const char of text.replace(/\r\n?/g, '\n')) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += lineBreak;
    else if (char === '\t') out += ' ';
    else if (code < 0x20) out += String.fromCodePoint(0x2400 + code);
    else if (code === 0x7f) out += '\u2421';
    else if (isControl(code) || isLoneSurrogate(code) || isBidiControl(code)) out += '\ufffd';
    else out += char;
  }
  return out;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Bidirectional embeddings, overrides and isolates, which could show a name reversed. */
function isBidiControl(code: number): boolean {
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** `for...of` yields a surrogate pair as one code point, so one left in this range is unpaired. */
function isLoneSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

/** Bytes of one escape unit (ASCII) or one code point in UTF-8. */
function utf8Length(unit: string): number {
  if (unit.startsWith('\\')) return unit.length;
  const code = unit.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

// ---------------------------------------------------------------------------------------------

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** At most `max` characters (code points), the last one an ellipsis when some were cut. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Code-unit order: locale-independent, so the output is the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
