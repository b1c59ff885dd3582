/**
 * Memory while trace files stream. What is live then is bounded by the pairing window and the
 * graph (about 70-100 MB at the default window), but V8 grows its heap generously while a
 * program allocates fast, and a 1 GB ingest peaked at ~400 MB RSS for ~70 MB of live data.
 * Holding the growth to 30% over what the last full collection kept brings the peak to ~210 MB
 * at no measurable cost in speed (bench/RESULTS.md). `ingest`, `nightly` and `export --input`
 * run under it from the first byte read to the last row written; `impact`, `plan` and `export`
 * from the store keep V8's default: they hold the graph anyway, and loading 50,000 edges ran 20%
 * slower with the bound.
 */
import v8 from 'node:v8';

const STREAMING_HEAP_GROWTH_PERCENT = 30;

export async function withBoundedHeapGrowth<T>(work: () => Promise<T>): Promise<T> {
  v8.setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWTH_PERCENT}`);
  try {
    return await work();
  } finally {
    v8.setFlagsFromString('--heap-growing-percent=0'); // 0: V8's own choice again
  }
}
