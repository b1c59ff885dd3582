/**
 * The resources of one input: one shared SpanResource per service, version and environment, so
 * the million spans of one service point at one object, and a count of the resources that named
 * no service (their spans count as `unknown_service`, and the reader says so once).
 */
import type { SpanResource } from '../model.js';
import { RESOURCE, pick } from '../semconv.js';

export const UNKNOWN_SERVICE = 'unknown_service';

export class SpanResources {
  private readonly known = new Map<string, SpanResource>();
  /** How many resources were read without a service name. */
  withoutService = 0;

  /** From resource attributes (or process tags) as `readAttributes` returns them. */
  fromAttributes(attributes: Readonly<Record<string, string>>, service: string | null | undefined = attributes[RESOURCE.service]): SpanResource {
    return this.of(service, attributes[RESOURCE.version] ?? null, pick(attributes, RESOURCE.environment) ?? null);
  }

  of(service: string | null | undefined, version: string | null, environment: string | null): SpanResource {
    if (service === undefined || service === null || service === '') {
      this.withoutService++;
      service = UNKNOWN_SERVICE;
    }
    const key = `${service}\u0000${version ?? ''}\u0000${environment ?? ''}`;
    let resource = this.known.get(key);
    if (resource === undefined) {
      resource = { service, version, environment };
      this.known.set(key, resource);
    }
    return resource;
  }
}
