/**
 * The report's palette: the same colours as the DOT output (src/report/render-dot.ts), so a
 * reviewer reads every rollgraph picture the same way. Node colours are DOT's border colours
 * (a filled dot needs the stronger tone); a test checks the impact colours against DOT's.
 */
export const KIND_COLORS = {
  service: '#3b6ea5',
  database: '#9a6b16',
  queue: '#3c7a4c',
  external: '#6d4c9f',
} as const;

export const KIND_NOUNS = {
  service: 'service',
  database: 'database',
  queue: 'queue',
  external: 'third-party API',
} as const;

export const IMPACT_COLORS = {
  independent: '#5f9e6e',
  coordinated: '#e07400',
  'data-migration': '#c62828',
} as const;

/** Edges without an impact tag (DOT's plain edge colour). */
export const PLAIN_EDGE_COLOR = '#555555';
/** What is not in focus while a service is selected. */
export const FADED_NODE_COLOR = '#d9dde3';
export const FADED_EDGE_COLOR = '#eceef1';
/** The ring of services that must revert with the selected one. */
export const REVERT_SET_COLOR = '#e07400';
