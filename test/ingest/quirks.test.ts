import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KIND, derive, deriveFiles, edgeLines, gzip, hexId, otlpDocument, otlpLines } from '../helpers/otlp.js';

/** checkout -> payments, one call: the smallest useful export. */
const pair = [
  { service: 'checkout', version: '2.4.0', spans: [{ id: 'c1', kind: KIND.client }] },
  { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server, name: 'charge' }] },
];
const EXPECTED = ['checkout -> payments sync 1/0'];
const doc = () => otlpDocument(pair);

/** Renames keys of a JSON text (outside values) by a table, keeping everything else. */
function renameKeys(text: string, table: Record<string, string>): string {
  return text.replace(/"([a-zA-Z]+)":/g, (m, key: string) => (table[key] ? `"${table[key]}":` : m));
}

describe('OTLP/JSON containers', () => {
  it('reads one document, compact or pretty-printed', async () => {
    expect(edgeLines(await derive(JSON.stringify(doc())))).toEqual(EXPECTED);
    expect(edgeLines(await derive(JSON.stringify(doc(), null, 2)))).toEqual(EXPECTED);
  });

  it('reads a JSON array of documents', async () => {
    const d = await derive(JSON.stringify([otlpDocument([pair[0]!]), otlpDocument([pair[1]!])], null, 1));
    expect(edgeLines(d)).toEqual(EXPECTED);
  });

  it('reads JSON Lines with blank lines, CRLF line ends and a final line without newline', async () => {
    const text = otlpLines(pair).trim().split('\n').join('\r\n\r\n   \r\n');
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.rejectedCount).toBe(0);
  });

  it('reads concatenated pretty-printed documents', async () => {
    const d = await derive(`${JSON.stringify(otlpDocument([pair[0]!]), null, 2)}\n${JSON.stringify(otlpDocument([pair[1]!]), null, 2)}`);
    expect(edgeLines(d)).toEqual(EXPECTED);
  });

  it('gives the same result however the bytes are split into chunks', async () => {
    const text = JSON.stringify(doc(), null, 2) + '\n' + JSON.stringify(doc()) + '\n' + otlpLines(pair);
    const expected = edgeLines(await derive(text));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 97 }), async (chunkSize) => {
        const d = await derive(text, { chunkSize });
        expect(edgeLines(d)).toEqual(expected);
        expect(d.stats.spans).toBe(6);
        expect(d.stats.duplicateSpans).toBe(3);
        expect(d.stats.conflictingSpans).toBe(1);
        expect(d.rejectedCount).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('reads resource keys after scopeSpans, and spans with unknown fields', async () => {
    const text = JSON.stringify({
      resourceSpans: [
        {
          schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
          scopeSpans: [{ spans: [{ ...(doc() as any).resourceSpans[1].scopeSpans[0].spans[0], futureField: { a: [1, 2] } }] }],
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }], entityRefs: [] },
        },
        (doc() as any).resourceSpans[0],
      ],
    });
    expect(edgeLines(await derive(text))).toEqual(EXPECTED);
  });
});

describe('encodings', () => {
  it('detects gzip by its magic bytes, whatever the name', async () => {
    const d = await deriveFiles({ 'traces.json': gzip(otlpLines(pair)) });
    expect(edgeLines(d)).toEqual(EXPECTED);
  });

  it('reads concatenated gzip members', async () => {
    const lines = otlpLines(pair).trim().split('\n');
    const d = await deriveFiles({ 'traces.jsonl.gz': Buffer.concat(lines.map((l) => gzip(`${l}\n`))) });
    expect(edgeLines(d)).toEqual(EXPECTED);
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const d = await derive(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(otlpLines(pair))]));
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.rejectedCount).toBe(0);
  });

  it('transcodes UTF-16 with a byte-order mark, with a warning', async () => {
    const d = await derive(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(otlpLines(pair), 'utf16le')]));
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.warnings.join('\n')).toContain('UTF-16');
  });

  it('keeps names outside ASCII intact across chunk boundaries', async () => {
    const text = otlpLines([
      { service: 'kassa-äöü-決済', spans: [{ id: 'c1', kind: KIND.client }] },
      { service: 'zahlung-💳', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
    ]);
    for (const chunkSize of [1, 3, 7]) {
      expect(edgeLines(await derive(text, { chunkSize }))).toEqual(['kassa-äöü-決済 -> zahlung-💳 sync 1/0']);
    }
  });
});

describe('field encodings', () => {
  it('reads snake_case keys like camelCase ones, with a warning', async () => {
    const text = renameKeys(JSON.stringify(doc()), {
      resourceSpans: 'resource_spans',
      scopeSpans: 'scope_spans',
      traceId: 'trace_id',
      spanId: 'span_id',
      parentSpanId: 'parent_span_id',
      startTimeUnixNano: 'start_time_unix_nano',
      stringValue: 'string_value',
    });
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.view.nodes.find((n) => n.id === 'checkout')!.versions).toEqual(['2.4.0']);
    expect(d.view.edges[0]!.firstSeen).not.toBeNull();
    expect(d.warnings.join('\n')).toContain('snake_case');
  });

  it('reads legacy instrumentationLibrarySpans, and ignores them when scopeSpans is also published', async () => {
    const legacy = renameKeys(JSON.stringify(doc()), { scopeSpans: 'instrumentationLibrarySpans', scope: 'instrumentationLibrary' });
    const d = await derive(legacy);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.warnings.join('\n')).toContain('instrumentationLibrarySpans');
    const both = doc() as { resourceSpans: Record<string, unknown>[] };
    for (const rs of both.resourceSpans) rs.instrumentationLibrarySpans = rs.scopeSpans;
    const d2 = await derive(both);
    expect(d2.stats.spans).toBe(2);
    expect(d2.stats.duplicateSpans).toBe(0);
  });

  it('reads the legacy Tempo "batches" key', async () => {
    expect(edgeLines(await derive(renameKeys(JSON.stringify(doc()), { resourceSpans: 'batches' })))).toEqual(EXPECTED);
  });

  it('reads hex ids in any case', async () => {
    const text = JSON.stringify(doc()).replace(/"(traceId|spanId|parentSpanId)":"([0-9a-f]+)"/g, (_m, k: string, v: string) => `"${k}":"${v.toUpperCase()}"`);
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.view.edges[0]!.sampleTraceIds[0]).toBe(hexId('t1', 32));
  });

  it('reads legacy base64 ids, recognised by their exact length', async () => {
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const text = JSON.stringify(doc()).replace(/"(traceId|spanId|parentSpanId)":"([0-9a-f]+)"/g, (_m, k: string, v: string) => `"${k}":"${b64(v)}"`);
    expect(text).toContain('=="');
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.view.edges[0]!.sampleTraceIds[0]).toBe(hexId('t1', 32));
  });

  it('reads span kinds and status codes as enum names as well as numbers', async () => {
    const text = JSON.stringify(doc())
      .replace('"kind":3', '"kind":"SPAN_KIND_CLIENT"')
      .replace('"kind":2', '"kind":"SPAN_KIND_SERVER"')
      .replace('"status":{}', '"status":{"code":"STATUS_CODE_ERROR"}');
    const d = await derive(text);
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/1']);
    expect(d.warnings.join('\n')).toContain('enum name');
  });

  it('reads an unknown kind number as unspecified, with a warning', async () => {
    const d = await derive(JSON.stringify(doc()).replace('"kind":2', '"kind":9'));
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.warnings.join('\n')).toContain('spans of unknown kind 9');
  });

  it('reads 64-bit times as strings, as exact bare numbers beyond 2^53, and as {low, high}', async () => {
    const ns = '1764000000123456789';
    const asString = JSON.stringify(doc()).replaceAll(/"startTimeUnixNano":"\d+"/g, `"startTimeUnixNano":"${ns}"`);
    const asNumber = asString.replaceAll(`"${ns}"`, ns);
    const big = BigInt(ns);
    const low = Number(big & 0xffffffffn) | 0;
    const high = Number(big >> 32n);
    const asLong = asString.replaceAll(`"startTimeUnixNano":"${ns}"`, `"startTimeUnixNano":{"low":${low},"high":${high}}`);
    for (const text of [asString, asNumber, asLong]) {
      const d = await derive(text);
      expect(d.view.edges[0]!.firstSeen).toBe('2025-11-24T16:00:00.123Z');
      expect(d.rejectedCount).toBe(0);
    }
  });

  it('keeps bare big numbers inside strings untouched', async () => {
    const text = JSON.stringify(
      otlpDocument([{ service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'db.system': 'redis', 'db.statement': 'GET x:1234567890123456789,' } }] }]),
    );
    expect(edgeLines(await derive(text))).toEqual(['checkout -> redis database 1/0']);
  });

  it('reads int and bool attribute values as text', async () => {
    const d = await derive(otlpDocument([{ service: 'checkout', version: '7', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'peer.service': 'x', 'db.system': 'redis', 'db.namespace': 3 } }] }]));
    expect(edgeLines(d)).toEqual(['checkout -> x database 1/0']);
  });

  it('treats an all-zero parent id as a root, and a self-parented span as a root', async () => {
    const d = await derive(
      JSON.stringify(otlpDocument([{ service: 'web', spans: [{ id: 'r1', kind: KIND.server }, { id: 'r2', kind: KIND.server, parent: 'r2' }] }])).replace(
        `"spanId":"${hexId('r1', 16)}"`,
        `"spanId":"${hexId('r1', 16)}","parentSpanId":"0000000000000000"`,
      ),
    );
    expect(d.view.nodes[0]!.entrypoint).toBe(true);
    expect(d.stats.missingParents).toBe(0);
  });

  it('names unnamed services unknown_service, with a warning', async () => {
    const d = await derive(otlpDocument([{ spans: [{ id: 'r1', kind: KIND.server }] }]));
    expect(d.view.nodes.map((n) => n.id)).toEqual(['unknown_service']);
    expect(d.warnings.join('\n')).toContain('without service.name');
  });

  it('ignores identical re-sent spans and keeps the first of conflicting ones', async () => {
    const lines = otlpLines(pair);
    const d = await derive(lines + lines);
    expect(edgeLines(d)).toEqual(EXPECTED);
    expect(d.stats.duplicateSpans).toBe(2);
    const conflicting = lines + otlpLines([{ service: 'payments', spans: [{ id: 'p1', kind: KIND.server, name: 'other' }] }]);
    expect((await derive(conflicting)).stats.conflictingSpans).toBe(1);
  });
});
