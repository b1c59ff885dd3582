/**
 * The graph from the whole history of an open store, with the config's impact rules: what
 * `nightly` compares and `accept` accepts.
 */
import { type AnalyzedGraph, analyzeGraph } from '../analyze-graph.js';
import { toEdgeRecords, toServiceFacts } from '../graph/convert-tallies.js';
import type { Store } from '../store/store.js';
import type { LoadedConfig } from './load-config.js';

export function analyzeStore(store: Store, config: LoadedConfig | null): AnalyzedGraph {
  return analyzeGraph(toEdgeRecords(store.readCalls(null)).values(), toServiceFacts(store.readServices(null)), {
    override: config?.deriveOptions.override,
  });
}
