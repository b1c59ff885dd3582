/** Spans held open for pairing before the oldest traces are finalised early (`--window`). */
export const DEFAULT_MAX_OPEN_SPANS = 100_000;
