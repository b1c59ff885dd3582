/**
 * Checks a service name given on the command line against the graph: an unknown name exits 2
 * with the closest known names; a database, queue or third party is not something to roll back.
 */
import { UsageError } from '../errors.js';
import type { DependencyGraph } from '../graph/build-graph.js';
import { suggestNames } from '../graph/suggest-names.js';

export function resolveService(graph: DependencyGraph, name: string): string {
  if (graph.hasNode(name)) {
    const kind = graph.getNodeAttribute(name, 'kind');
    if (kind === 'service') return name;
    throw new UsageError(`${name} is a ${kind === 'external' ? 'third party' : kind}, not a service: only services with spans of their own roll back`);
  }
  const services: string[] = [];
  graph.forEachNode((node, attributes) => {
    if (attributes.kind === 'service') services.push(node);
  });
  const close = suggestNames(name, services);
  throw new UsageError(
    `unknown service ${JSON.stringify(name)}` +
      (close.length > 0 ? `; did you mean ${close.join(', ')}?` : services.length > 0 ? ` (${services.length} services in the traces; \`rollgraph export --format json\` lists them)` : ': the traces hold no service'),
  );
}

export function resolveVersion(graph: DependencyGraph, service: string, version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  const versions = graph.getNodeAttribute(service, 'versions');
  if (versions.includes(version)) return version;
  throw new UsageError(
    `${service} was never seen at version ${JSON.stringify(version)}` +
      (versions.length > 0 ? `; versions in the traces, oldest first: ${versions.join(', ')}` : ': its spans carry no service.version'),
  );
}
