#!/usr/bin/env node
/**
 * Regenerates src/ingest/proto/otlp-trace-schema.ts from the vendored OTLP .proto files in
 * src/ingest/proto/opentelemetry/. The build compiles only .ts files, so the schema travels to
 * dist/ as a protobufjs JSON descriptor inside a module; nothing is read from disk at run time.
 *
 *   node scripts/generate-otlp-schema.mjs          # rewrite the module
 *   node scripts/generate-otlp-schema.mjs --check  # exit 1 if the module is out of date
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROTO_DIR = join(ROOT, 'src/ingest/proto');
const OUT = join(PROTO_DIR, 'otlp-trace-schema.ts');
const FILES = [
  'opentelemetry/proto/common/v1/common.proto',
  'opentelemetry/proto/resource/v1/resource.proto',
  'opentelemetry/proto/trace/v1/trace.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
];

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith(PROTO_DIR) ? target : join(PROTO_DIR, target));
root.loadSync(FILES.map((f) => join(PROTO_DIR, f)), { keepCase: false });
root.resolveAll();

const sums = FILES.map((f) => ` *   ${createHash('sha256').update(readFileSync(join(PROTO_DIR, f))).digest('hex')}  ${f}`);
const text = `/**
 * The OTLP trace schema as a protobufjs JSON descriptor, generated from the vendored .proto files
 * (see README.md beside this file). Do not edit: run \`node scripts/generate-otlp-schema.mjs\`.
 *
 * Sources (sha256):
${sums.join('\n')}
 */
export const OTLP_TRACE_SCHEMA = ${JSON.stringify(root.toJSON(), null, 2)};
`;

if (process.argv.includes('--check')) {
  const current = readFileSync(OUT, 'utf8');
  if (current !== text) {
    console.error(`${OUT} is out of date: run node scripts/generate-otlp-schema.mjs`);
    process.exit(1);
  }
  console.log('otlp-trace-schema.ts is up to date');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
