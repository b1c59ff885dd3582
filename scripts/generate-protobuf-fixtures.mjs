#!/usr/bin/env node
/**
 * Writes fixtures/protobuf/: OTLP protobuf and zstd versions of existing OTLP/JSON fixtures, laid
 * out as the Collector's file exporter writes them (FORMATS.md §2.2-2.3), so the tests can check
 * that each gives exactly the same graph as the JSON it came from. Deterministic: same inputs,
 * same bytes (zstd output depends on the zstd version, printed in fixtures/protobuf/README.md).
 *
 *   node scripts/generate-protobuf-fixtures.mjs     # needs the zstd command line tool
 *
 * Encoding uses protobufjs with the vendored OTLP schema (src/ingest/proto/), the same schema
 * rollgraph decodes with; the JSON is first normalised to the form protobufjs's fromObject reads
 * (camelCase keys, ids as bytes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROTO_DIR = join(ROOT, 'src/ingest/proto');
const OUT = join(ROOT, 'fixtures/protobuf');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith(PROTO_DIR) ? target : join(PROTO_DIR, target));
root.loadSync(join(PROTO_DIR, 'opentelemetry/proto/collector/trace/v1/trace_service.proto'));
const TracesData = root.lookupType('opentelemetry.proto.trace.v1.TracesData');
const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** snake_case -> camelCase, as protobufjs names the schema's fields. */
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function normalise(value, key = '') {
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value === null || typeof value !== 'object') {
    if (ID_KEYS.has(key) && typeof value === 'string') return Buffer.from(value, 'hex');
    return value;
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const camel = k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    out[camel] = normalise(v, camel);
  }
  return out;
}

function encode(type, json) {
  const object = normalise(json);
  const problem = type.verify(type.fromObject(object));
  if (problem) throw new Error(problem);
  return type.encode(type.fromObject(object)).finish();
}

function frame(message) {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(message.length);
  return Buffer.concat([prefix, message]);
}

const zstd = (bytes) => execFileSync('zstd', ['-q', '-c', '-19', '--no-check'], { input: bytes });
const write = (name, bytes) => {
  writeFileSync(join(OUT, name), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
};

mkdirSync(OUT, { recursive: true });

// grafana-agent: one pretty-printed document (snake_case keys, enum names) -> one unframed
// ExportTraceServiceRequest, as an OTLP/HTTP body.
for (const name of ['trace-sample', 'unpaired-trace-sample']) {
  const json = JSON.parse(readFileSync(join(ROOT, `fixtures/real/grafana-agent/${name}.json`), 'utf8'));
  write(`grafana-agent-${name}.binpb`, encode(ExportTraceServiceRequest, json));
}

// demo day 1: JSON Lines -> the file exporter's layouts, one message per line.
const lines = readFileSync(join(ROOT, 'fixtures/demo/day1/traces.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
const messages = lines.map((l) => encode(TracesData, JSON.parse(l)));
const framed = Buffer.concat(messages.map(frame));
write('demo-day1-traces.binpb', framed); // format: proto
write('demo-day1-traces.binpb.zst', zstd(framed)); // format: proto, native zstd
write('demo-day1-traces.jsonl.zst', zstd(Buffer.from(lines.map((l) => `${l}\n`).join('')))); // format: json, native zstd
write('demo-day1-traces.legacy-zstd.binpb', Buffer.concat(messages.map((m) => frame(zstd(m))))); // format: proto, legacy zstd
write('demo-day1-traces.legacy-zstd.json', Buffer.concat(lines.map((l) => frame(zstd(Buffer.from(l)))))); // format: json, legacy zstd
console.log(execFileSync('zstd', ['--version'], { encoding: 'utf8' }).trim());
