/**
 * Names what a call reaches and what it does, from semantic-convention attributes (CONTRACT §2):
 * the virtual node of a leaf exit (R3), the named caller of an entry span (R5), the queue an
 * async call goes through, and the operation of a call.
 */
import { SpanKind } from '@opentelemetry/api';
import type { CallType, NodeKind, Span } from '../model.js';
import { ATTR, DB_SYSTEM_RENAMES, pick } from '../semconv.js';

/** A node a span names but that has no spans of its own (or whose spans were not sampled). */
export interface NamedNode {
  readonly kind: NodeKind;
  readonly name: string;
  readonly type: CallType;
  readonly via: string | null;
}

/** The queue `<messaging.system>:<destination>` a span names, if any. */
export function nameQueue(span: Span): string | null {
  const system = pick(span.attributes, ATTR.messagingSystem);
  if (system === undefined) return null;
  const destination = pick(span.attributes, ATTR.messagingDestination);
  return destination === undefined ? system : `${system}:${destination}`;
}

/** R3: the virtual node a CLIENT or PRODUCER span without a remote child calls, or null. */
export function nameExitTarget(span: Span): NamedNode | null {
  const a = span.attributes;
  const peer = pick(a, ATTR.peerService);
  const dbSystem = pick(a, ATTR.dbSystem);
  if (dbSystem !== undefined) {
    const system = DB_SYSTEM_RENAMES[dbSystem] ?? dbSystem;
    const where = pick(a, ATTR.dbNamespace) ?? pick(a, ATTR.serverAddress);
    const name = peer ?? (where === undefined ? system : `${system}:${where}`);
    return { kind: 'database', name, type: 'database', via: null };
  }
  const queue = nameQueue(span);
  if (queue !== null) return { kind: 'queue', name: queue, type: 'async', via: queue };
  const host = peer ?? pick(a, ATTR.serverAddress) ?? hostOfUrl(pick(a, ATTR.url));
  if (host !== undefined) return { kind: 'external', name: host, type: 'external', via: null };
  return null;
}

/**
 * R5: the caller a root SERVER or CONSUMER span names, or null. A peer name counts; an address
 * alone does not, since it names a machine, not a caller.
 */
export function nameEntryCaller(span: Span): NamedNode | null {
  const isConsumer = span.kind === SpanKind.CONSUMER;
  if (isConsumer) {
    const queue = nameQueue(span);
    if (queue !== null) return { kind: 'queue', name: queue, type: 'async', via: queue };
  }
  const peer = pick(span.attributes, ATTR.peerService);
  if (peer === undefined) return null;
  return { kind: 'external', name: peer, type: isConsumer ? 'async' : 'sync', via: null };
}

/** The operation of a call as its callee span names it: `POST /carts/{id}`, `catalog.Catalog/GetProduct`, or the span name. */
export function nameServedOperation(callee: Span): string {
  const a = callee.attributes;
  const method = pick(a, ATTR.httpMethod);
  const route = pick(a, ATTR.httpRoute);
  if (method !== undefined && route !== undefined) return `${method} ${route}`;
  const rpcMethod = pick(a, ATTR.rpcMethod);
  if (rpcMethod !== undefined) {
    const rpcService = pick(a, ATTR.rpcService);
    return rpcService === undefined ? rpcMethod : `${rpcService}/${rpcMethod}`;
  }
  return callee.name === '' ? '(unnamed span)' : callee.name;
}

/** The operation of a leaf exit as its caller span names it: `INSERT`, `GET`, `POST /v1/charges`. */
export function nameExitOperation(caller: Span): string {
  const a = caller.attributes;
  const dbOperation = pick(a, ATTR.dbOperation);
  if (dbOperation !== undefined) return dbOperation;
  const keyword = firstKeyword(pick(a, ATTR.dbQuery));
  if (keyword !== undefined) return keyword;
  const method = pick(a, ATTR.httpMethod);
  if (method !== undefined) {
    const path = pick(a, ATTR.httpRoute) ?? pick(a, ATTR.urlPath) ?? pathOfUrl(pick(a, ATTR.url));
    return path === undefined ? method : `${method} ${stripQuery(path)}`;
  }
  return caller.name === '' ? '(unnamed span)' : caller.name;
}

/** The first SQL-ish keyword of a statement, skipping comments and parentheses. */
export function firstKeyword(statement: string | undefined): string | undefined {
  if (statement === undefined) return undefined;
  const text = statement.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
  const match = /^[\s(]*([A-Za-z]+)/.exec(text);
  return match ? match[1]!.toUpperCase() : undefined;
}

const URL_AUTHORITY = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)([^?#]*)/;

/** Host of an absolute URL (`https://api.stripe.com:443/v1` -> `api.stripe.com`); none for `app:80` or `/path`. */
export function hostOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const match = URL_AUTHORITY.exec(url);
  if (!match) return undefined;
  let authority = match[1]!;
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:\d*$/, '');
  return host === '' ? undefined : host.toLowerCase();
}

function pathOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const match = URL_AUTHORITY.exec(url);
  if (!match) return undefined;
  return match[2] === '' ? '/' : match[2];
}

function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q >= 0 ? path.slice(0, q) : path;
}
