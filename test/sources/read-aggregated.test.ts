/**
 * The pure readers of aggregated sources: from parsed answers to per-day call tallies, and the
 * errors that name the field. Answers are built inline in the shape the servers send.
 */
import { describe, expect, it } from 'vitest';
import { utcDay } from '../../src/ingest/aggregated-edges.js';
import { readDependencyLinks } from '../../src/ingest/read-dependency-links.js';
import { readPrometheusServiceGraph, readPromVector, serviceGraphQueries } from '../../src/ingest/read-prometheus-servicegraph.js';

const END = Date.UTC(2026, 2, 2, 6, 0, 0);
const WINDOW = { startMs: END - 86_400_000, endMs: END };
const SRC = 'prometheus http://prometheus:9090';

function vector(series: [Record<string, string>, string][]) {
  return { status: 'success', data: { resultType: 'vector', result: series.map(([metric, value]) => ({ metric, value: [END / 1000, value] })) } };
}

const none = vector([]);

describe('readPromVector', () => {
  it('an error answer names the error type and message', () => {
    expect(() => readPromVector({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }, SRC)).toThrow(
      `${SRC}: status: Prometheus answered with an error (timeout): query timed out in expression evaluation`,
    );
  });
  it('names the field that is not what the API promises', () => {
    expect(() => readPromVector({ status: 'success', data: { resultType: 'matrix', result: [] } }, SRC)).toThrow(`${SRC}: data.resultType: expected "vector"`);
    expect(() => readPromVector({ status: 'success', data: { resultType: 'vector' } }, SRC)).toThrow(`${SRC}: data.result: expected an array, got nothing`);
    expect(() => readPromVector(vector([[{ client: 'a', server: 'b' }, 'lots']]), SRC)).toThrow(`${SRC}: data.result[0].value[1]: expected a finite, non-negative number as a string, got "lots"`);
    expect(() => readPromVector([], SRC)).toThrow(`${SRC}: (top level): expected a JSON object`);
  });
});

describe('readPrometheusServiceGraph', () => {
  it('empty answers give no edges', () => {
    expect(readPrometheusServiceGraph({ requests: none, failed: none }, WINDOW, SRC)).toEqual({ calls: [], services: [], warnings: [] });
  });

  it('sums the series of one edge (per instance, per failed label) before rounding once, files it under the day of the window', () => {
    const requests = vector([
      [{ client: 'checkout', server: 'payments', connection_type: '', instance: 'collector-0', failed: 'false' }, '100.4'],
      [{ client: 'checkout', server: 'payments', instance: 'collector-1', failed: 'false' }, '50.4'],
      [{ client: 'checkout', server: 'payments', instance: 'collector-1', failed: 'true' }, '3.3'],
    ]);
    const failed = vector([[{ client: 'checkout', server: 'payments', instance: 'collector-1' }, '3.3']]);
    const { calls, services } = readPrometheusServiceGraph({ requests, failed }, WINDOW, SRC);
    expect(calls).toEqual([
      {
        from: 'checkout',
        fromKind: 'service',
        to: 'payments',
        toKind: 'service',
        type: 'sync',
        day: '2026-03-02',
        calls: 154,
        errors: 3,
        firstMs: WINDOW.startMs,
        lastMs: END,
        operations: [],
        vias: [],
        environments: [],
        samples: [],
      },
    ]);
    expect(services.map((s) => [s.name, s.spans, s.versions])).toEqual([
      ['checkout', 0, []],
      ['payments', 0, []],
    ]);
  });

  it('maps connection types: messaging (with the queue from dimensions), database (named by its system), virtual nodes on either side', () => {
    const requests = vector([
      [{ client: 'orders', server: 'shipping', connection_type: 'messaging_system', client_messaging_system: 'kafka', client_messaging_destination_name: 'orders.created' }, '40'],
      [{ client: 'orders', server: 'orders_db', connection_type: 'database', client_db_system: 'postgresql' }, '90'],
      [{ client: 'orders', server: 'redis', connection_type: 'database' }, '12'],
      [{ client: 'orders', server: 'api.stripe.com', connection_type: 'virtual_node' }, '5'],
      [{ client: 'user', server: 'web', connection_type: 'virtual_node' }, '700'],
      [{ client: 'partner-gateway', server: 'orders', connection_type: 'virtual_node', virtual_node: 'client' }, '8'],
      [{ client: 'orders', server: 'unknown', connection_type: 'virtual_node', virtual_node: 'server' }, '2'],
    ]);
    const { calls, services, warnings } = readPrometheusServiceGraph({ requests, failed: none }, WINDOW, SRC);
    expect(calls.map((c) => [c.from, c.fromKind, c.to, c.toKind, c.type, c.calls, c.vias])).toEqual([
      ['orders', 'service', 'api.stripe.com', 'external', 'external', 5, []],
      ['orders', 'service', 'postgresql:orders_db', 'database', 'database', 90, []],
      ['orders', 'service', 'redis', 'database', 'database', 12, []],
      ['orders', 'service', 'shipping', 'service', 'async', 40, [{ via: 'kafka:orders.created', calls: 40 }]],
      ['partner-gateway', 'external', 'orders', 'service', 'sync', 8, []],
    ]);
    expect(services.map((s) => [s.name, s.entrypoint])).toEqual([
      ['orders', false],
      ['shipping', false],
      ['web', true],
    ]);
    expect(warnings).toEqual([
      `${SRC}: 2 calls to an uninstrumented server the metrics do not name (server="unknown") were left out`,
      `${SRC}: 700 calls from outside (client="user") mark their servers as entry points, with no edge`,
    ]);
  });

  it('the servicegraph connector\'s golden series give its expected edges (connector testdata, as Prometheus labels them)', () => {
    // connector/servicegraphconnector/testdata/*-expected-metrics.yaml: dimension keys such as
    // `client_messaging.system` become `client_messaging_system` once exported to Prometheus.
    const requests = vector([
      [{ client: 'foo-server', server: 'bar-requester', connection_type: '', failed: 'false', client_messaging_system: 'kafka', server_db_system: 'postgresql' }, '1'],
      [{ client: 'foo-server', server: 'unknown', connection_type: 'virtual_node', failed: 'false', virtual_node: 'server' }, '1'],
      [{ client: 'user', server: 'bar-requester', connection_type: 'virtual_node', failed: 'false', virtual_node: 'client' }, '1'],
      [{ client: 'foo', server: 'bar', connection_type: '', failed: 'false' }, '2'],
      [{ client: 'foo', server: 'bar', connection_type: '', failed: 'true' }, '1'],
    ]);
    const failed = vector([[{ client: 'foo', server: 'bar', connection_type: '', failed: 'true' }, '1']]);
    const { calls, services } = readPrometheusServiceGraph({ requests, failed }, WINDOW, SRC);
    expect(calls.map((c) => [c.from, c.to, c.type, c.calls, c.errors])).toEqual([
      ['foo', 'bar', 'sync', 3, 1],
      ['foo-server', 'bar-requester', 'sync', 1, 0],
    ]);
    expect(services.filter((s) => s.entrypoint).map((s) => s.name)).toEqual(['bar-requester']);
  });

  it('versions come from the service.version dimensions, ordered by the first-seen answer', () => {
    const v9 = { client: 'web', server: 'catalog', client_service_version: '4.2.0', server_service_version: '1.9.0' };
    const v10 = { ...v9, server_service_version: '1.10.0' };
    const idle = { ...v9, server_service_version: '1.8.0' };
    const requests = vector([
      [v10, '30'],
      [v9, '20'],
      [idle, '0'],
    ]);
    const firstSeen = vector([
      [v9, String(WINDOW.startMs / 1000 + 60)],
      [v10, String(END / 1000 - 3600)],
      [idle, String(WINDOW.startMs / 1000)],
    ]);
    const { services } = readPrometheusServiceGraph({ requests, failed: none, firstSeen }, WINDOW, SRC);
    expect(services.find((s) => s.name === 'catalog')?.versions).toEqual([
      { version: '1.10.0', firstMs: END - 3_600_000, lastMs: END },
      { version: '1.9.0', firstMs: WINDOW.startMs + 60_000, lastMs: END },
    ]);
    expect(services.find((s) => s.name === 'web')?.versions).toEqual([{ version: '4.2.0', firstMs: WINDOW.startMs + 60_000, lastMs: END }]);
  });

  it('a series that is not a service-graph series names the label', () => {
    expect(() => readPrometheusServiceGraph({ requests: vector([[{ job: 'node' }, '1']]), failed: none }, WINDOW, SRC)).toThrow(
      `${SRC} (traces_service_graph_request_total): data.result[0].metric.client: missing`,
    );
    expect(() => readPrometheusServiceGraph({ requests: vector([[{ client: 'a', server: 'b', connection_type: 'grpc' }, '1']]), failed: none }, WINDOW, SRC)).toThrow(
      `data.result[0].metric.connection_type: unknown connection type "grpc"`,
    );
  });

  it('asks for the increase over the window, and first-seen times at a step of at least a minute', () => {
    expect(serviceGraphQueries(86_400)).toEqual({
      requests: 'increase(traces_service_graph_request_total[86400s])',
      failed: 'increase(traces_service_graph_request_failed_total[86400s])',
      firstSeen: 'min_over_time(timestamp(traces_service_graph_request_total)[86400s:60s])',
    });
    expect(serviceGraphQueries(7 * 86_400).firstSeen).toBe('min_over_time(timestamp(traces_service_graph_request_total)[604800s:420s])');
  });
});

describe('readDependencyLinks', () => {
  it('Jaeger: an error answer is an error; a self-link is a warning, not an edge', () => {
    expect(() => readDependencyLinks({ data: null, errors: [{ code: 500, msg: 'dependencies store is not configured' }] }, 'jaeger', WINDOW, 'jaeger')).toThrow(
      'jaeger: errors: Jaeger answered with an error (500): dependencies store is not configured',
    );
    const { calls, warnings } = readDependencyLinks(
      { data: [{ parent: 'api', child: 'api', callCount: 4 }, { parent: 'api', child: 'db', callCount: 6, source: 'jaeger' }] },
      'jaeger',
      WINDOW,
      'jaeger',
    );
    expect(calls.map((c) => [c.from, c.to, c.calls, c.errors])).toEqual([['api', 'db', 6, 0]]);
    expect(warnings).toEqual(['jaeger: 4 calls of a service to itself are not edges']);
  });

  it('names the field of a link that is not one', () => {
    expect(() => readDependencyLinks({ data: [{ parent: 'a', child: 'b', callCount: 1 }, { parent: 'a', child: 'c', callCount: -2 }] }, 'jaeger', WINDOW, 'deps.json')).toThrow(
      'deps.json: data[1].callCount: expected a count (a whole number, 0 or more), got -2',
    );
    expect(() => readDependencyLinks([{ parent: '', child: 'b', callCount: 1 }], 'zipkin', WINDOW, 'zipkin')).toThrow('zipkin: [0].parent: expected a service name, got ""');
    expect(() => readDependencyLinks([{ parent: 'a', child: 'b', callCount: 1, errorCount: 'x' }], 'zipkin', WINDOW, 'zipkin')).toThrow('zipkin: [0].errorCount');
  });

  it('Zipkin: links with no calls are not edges', () => {
    expect(readDependencyLinks([{ parent: 'a', child: 'b', callCount: 0 }], 'zipkin', WINDOW, 'zipkin').calls).toEqual([]);
  });
});

describe('utcDay', () => {
  it('a window ending at midnight is filed under the day it covers', () => {
    expect(utcDay(Date.UTC(2026, 2, 2))).toBe('2026-03-01');
    expect(utcDay(Date.UTC(2026, 2, 2, 0, 0, 1))).toBe('2026-03-02');
  });
});
