/**
 * `export --format html`: the view (impacts and rollback profiles) plus what the page's revert
 * plans need beyond it: the graph's edges in its own order, with each tag's forcing operation.
 */
import type { AnalyzedGraph } from '../analyze-graph.js';
import type { EdgeId, GraphEdge } from '../report/html-report-data.js';
import { renderHtml } from '../report/render-html.js';
import * as viewer from '../viewer/bundle.js';

/** The report of a graph; `newEdges` (from `nightly`) are drawn thick, with a filter of their own. */
export function renderHtmlExport(read: Pick<AnalyzedGraph, 'graph' | 'tags' | 'view'>, newEdges?: readonly EdgeId[]): string {
  const graphEdges: GraphEdge[] = [];
  read.graph.forEachEdge((key, edge) => {
    graphEdges.push({ from: edge.from, to: edge.to, type: edge.type, forcing: read.tags.get(key)?.forcing ?? null });
  });
  return renderHtml({ viewer, view: read.view, graphEdges, newEdges });
}
