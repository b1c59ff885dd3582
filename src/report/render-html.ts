/**
 * `export --format html`: one self-contained HTML page with an interactive picture of the
 * graph: nodes coloured by kind, edges by rollback impact (as in DOT), new edges thick, a search
 * box, environment and impact filters, and a side panel with each service's rollback profile and
 * revert plan (worked out in the page by the same planRevert as `rollgraph plan`). Positions are laid out here (ForceAtlas2, deterministic), so the browser only
 * draws; the browser code is inlined (handed in: src/viewer/bundle.ts), and a
 * Content-Security-Policy allows that one script and no network at all.
 *
 * Every name comes from traces and is untrusted. The data travels as JSON in a
 * `<script type="application/json">` element with `<`, `>`, `&`, U+2028 and U+2029 escaped,
 * so no name can close the element or open a comment; the browser code puts text on the page
 * with `textContent` only (and canvas text, which is never parsed).
 */
import type { GraphView } from '../model.js';
import { type EdgeId, type GraphEdge, toReportData } from './html-report-data.js';
import { layoutGraph } from './layout-graph.js';

/** The page's browser code and stylesheet (src/viewer/bundle.ts, built by scripts/build-html-viewer.mjs). */
export interface ViewerAssets {
  readonly VIEWER_SCRIPT: string;
  readonly VIEWER_STYLE: string;
  /** Base64 SHA-256 of the script, which the Content-Security-Policy allows. */
  readonly VIEWER_SCRIPT_SHA256: string;
}

export interface HtmlReportInput {
  readonly viewer: ViewerAssets;
  /** The graph, with impacts and (for the panel) each service's rollback profile. */
  readonly view: GraphView;
  /**
   * The dependency graph's edges in its own order, each with its tag's forcing operation, so
   * the revert plans the page works out read exactly like `rollgraph plan`'s.
   */
  readonly graphEdges?: readonly GraphEdge[];
  /** Edges new since the baseline (e.g. `nightly`'s newEdges): drawn thick, with a filter. */
  readonly newEdges?: readonly EdgeId[];
  /** The page title; default "rollgraph: dependency graph". */
  readonly title?: string;
}

const csp = (scriptSha256: string) => [
  "default-src 'none'",
  `script-src 'sha256-${scriptSha256}'`,
  "style-src 'unsafe-inline'",
  'img-src data: blob:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function renderHtml(input: HtmlReportInput): string {
  const { view } = input;
  const { VIEWER_SCRIPT, VIEWER_STYLE, VIEWER_SCRIPT_SHA256 } = input.viewer;
  const positions = layoutGraph(
    view.nodes.map((n) => n.id),
    view.edges.map((e) => ({ from: e.from, to: e.to, weight: 1 + Math.log10(Math.max(1, e.calls)) })),
  );
  const title = input.title ?? 'rollgraph: dependency graph';
  const data = toReportData({ title, view, positions, graphEdges: input.graphEdges, newEdges: input.newEdges });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp(VIEWER_SCRIPT_SHA256)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rollgraph">
<title>${escapeHtml(title)}</title>
<style>
${VIEWER_STYLE}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<span id="summary"></span>
<input id="search" type="search" list="names" placeholder="Find a service (Enter)" aria-label="Find a service" autocomplete="off" spellcheck="false">
<datalist id="names"></datalist>
<span id="search-status" role="status"></span>
<label>environment <select id="environment"><option value="">all</option></select></label>
<fieldset id="impacts"><legend>impact</legend></fieldset>
</header>
<main>
<div id="graph" role="img" aria-label="dependency graph"></div>
<div id="legend"></div>
<aside id="panel" hidden></aside>
</main>
<noscript><p>This report draws the graph with JavaScript; the same graph is available with <code>rollgraph export --format json</code>.</p></noscript>
<script type="application/json" id="rollgraph-data">${embedJson(data)}</script>
<script>${VIEWER_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<` and `>` (so no `</script>`
 * and no `<!--`), `&`, and the two line separators that some JavaScript parsers reject are
 * written as `\uXXXX` escapes, which JSON.parse turns back into the same characters.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
