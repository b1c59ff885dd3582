import type { Rejection, Span } from '../model.js';

/** Where a reader delivers what it reads: spans, rejected records and warnings. */
export interface SpanSink {
  span(span: Span): void;
  reject(rejection: Rejection): void;
  /**
   * Something accepted that is worth knowing. The same message from several inputs is reported
   * once, naming them; `count` says how many records it concerns (default 1).
   */
  warn(file: string, message: string, count?: number): void;
}
