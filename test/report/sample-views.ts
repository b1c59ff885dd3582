/**
 * Small graph views the reporter tests render: a realistic shop, the same shop with rollback
 * impacts, names an attacker could put in traces, and the empty graph. Built inline, sorted
 * the way the graph code hands them over (nodes by id; edges by from, to, type).
 */
import type { EdgeView, GraphView, Impact, NodeKind, NodeView } from '../../src/model.js';
import { edgeView } from '../helpers/views.js';

function node(id: string, kind: NodeKind, versions: string[] = [], entrypoint = false): NodeView {
  return { id, kind, versions, entrypoint, environments: kind === 'service' ? ['production'] : [] };
}


interface ShopEdge {
  readonly type?: EdgeView['type'];
  readonly errors?: number;
  readonly via?: string;
  readonly impact?: Impact;
  /** [name, calls] pairs, most called first. */
  readonly operations: readonly (readonly [string, number])[];
}

function edge(from: string, to: string, spec: ShopEdge): EdgeView {
  const { impact, ...rest } = spec;
  return edgeView(from, to, impact === undefined ? rest : { ...rest, tag: [impact, 'observed', `tagged ${impact} for the test`] });
}

const shopNodes: NodeView[] = [
  node('api.stripe.com', 'external'),
  node('checkout', 'service', ['1.8.3', '1.9.0']),
  node('inventory', 'service', ['0.41.0', '0.42.0']),
  node('kafka:orders', 'queue'),
  node('payments', 'service', ['3.2.1']),
  node('postgresql:orders', 'database'),
  node('web-frontend', 'service', ['2.14.0', '2.15.0'], true),
];

const shopEdges: readonly (readonly [string, string, ShopEdge, Impact])[] = [
  [
    'checkout',
    'inventory',
    { operations: [['GET /inventory/{sku}', 340], ['POST /reservations', 120]] },
    'coordinated',
  ],
  [
    'checkout',
    'kafka:orders',
    { type: 'async', via: 'kafka:orders', operations: [['orders publish', 118]] },
    'independent',
  ],
  [
    'checkout',
    'payments',
    {
      errors: 3,
      operations: [
        ['POST /payments', 118],
        ['GET /payments/{id}', 40],
        ['POST /payments/{id}/refund', 3],
        ['GET /payments/methods', 2],
      ],
    },
    'independent',
  ],
  [
    'checkout',
    'postgresql:orders',
    { type: 'database', operations: [['SELECT', 240], ['INSERT', 118], ['UPDATE', 12]] },
    'data-migration',
  ],
  [
    'kafka:orders',
    'inventory',
    { type: 'async', via: 'kafka:orders', operations: [['orders process', 118]] },
    'independent',
  ],
  [
    'payments',
    'api.stripe.com',
    {
      type: 'external',
      operations: [['POST /v1/payment_intents', 118], ['GET /v1/payment_intents/{id}', 40]],
    },
    'data-migration',
  ],
  ['web-frontend', 'checkout', { operations: [['GET /cart', 560], ['POST /checkout', 120]] }, 'coordinated'],
  ['web-frontend', 'inventory', { operations: [['GET /products/{sku}', 900]] }, 'independent'],
];

/** The shop as `export` sees it before impacts are tagged. */
export const shopView: GraphView = {
  nodes: shopNodes,
  edges: shopEdges.map(([from, to, spec]) => edge(from, to, spec)),
};

/** The shop with every edge tagged with its rollback impact. */
export const shopImpactView: GraphView = {
  nodes: shopNodes,
  edges: shopEdges.map(([from, to, spec, impact]) => edge(from, to, { ...spec, impact })),
};

/** A tag an attacker could name a service after, hoping a report renders it as HTML. */
export const IMG_TAG = '<img src=x onerror=alert(1)>';
/** Quotes and a line break: the classic ways out of a quoted string. */
export const QUOTES_AND_NEWLINE = 'say "hi"\nthen "leave"';
/** Backslash escapes Graphviz would expand (`\N` is the node name, `\G` the graph name). */
export const BACKSLASHES = 'C:\\svc\\N\\G\\';
/** Mermaid's own syntax: an init directive, an entity code, an icon, Markdown and a link. */
export const MERMAID_SYNTAX =
  '%%{init: {"theme":"dark"}}%% #quot; fa:fa-bomb `code` **bold** _em_ www.example.com & <br>';
/** An address (Markdown would start a numbered list at `10.`) with a bell character. */
export const ADDRESS_WITH_BELL = '10.0.0.5\u0007';
/** A name ending the quoted string and opening a new statement in DOT and in Mermaid. */
export const BREAKOUT = '"]; evil [label="pwned"]; x["';
/**
 * Mermaid strips the last `;` of a line holding `style` ... `:` ... `#` (its CSS handling), and
 * its lexer takes any line holding `direction TB` for a direction statement.
 */
export const STYLE_LOOKALIKE = 'stylesheet:v#2; direction TB';

/** Names from traces that must stay plain text in every format. */
export const hostileView: GraphView = {
  nodes: [
    node(BREAKOUT, 'service'),
    node(MERMAID_SYNTAX, 'queue'),
    node(IMG_TAG, 'service', ['1.0.0"><script>alert(2)</script>'], true),
    node(ADDRESS_WITH_BELL, 'external'),
    node(BACKSLASHES, 'database'),
    node(QUOTES_AND_NEWLINE, 'service', ['2.0.0\r\nrc1']),
    node(STYLE_LOOKALIKE, 'service'),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  edges: [
    edge(IMG_TAG, QUOTES_AND_NEWLINE, {
      errors: 1,
      operations: [
        ['GET /search?q=<script>alert(3)</script>', 5],
        ['POST /"quoted"\\path', 2],
      ],
    }),
    edge(IMG_TAG, MERMAID_SYNTAX, {
      type: 'async',
      via: MERMAID_SYNTAX,
      operations: [['%%{init: {"securityLevel":"loose"}}%%', 1]],
    }),
    edge(QUOTES_AND_NEWLINE, ADDRESS_WITH_BELL, {
      type: 'external',
      operations: [['1. first `step` | *not* a list', 7]],
    }),
    edge(QUOTES_AND_NEWLINE, BACKSLASHES, { type: 'database', operations: [['SELECT \\N', 4]] }),
    edge(QUOTES_AND_NEWLINE, BREAKOUT, { operations: [['-->|"x"| n0', 1]] }),
    edge(QUOTES_AND_NEWLINE, STYLE_LOOKALIKE, { operations: [['PUT /style:#35;', 1]] }),
  ].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0)),
};

export const emptyView: GraphView = { nodes: [], edges: [] };

/** Every sample with the golden file it renders to (without extension). */
export const namedViews: readonly { readonly name: string; readonly view: GraphView }[] = [
  { name: 'shop', view: shopView },
  { name: 'shop-impact', view: shopImpactView },
  { name: 'hostile', view: hostileView },
  { name: 'empty', view: emptyView },
];

/** A bare service node, for views built around one odd name. */
export function service(id: string): NodeView {
  return { id, kind: 'service', versions: [], entrypoint: false, environments: [] };
}
