#!/usr/bin/env node
/**
 * The limit P: the cheapest honest way to look at every span of an OTLP JSON Lines file in
 * Node. Read the file with a stream, split it into lines, JSON.parse every line and touch every
 * span (count it, read its ids). One process, one core (JSON.parse is single-threaded).
 *
 *   node bench/limit-p.mjs FILE        prints: spans=N lines=L
 *
 * --split-only: read and split lines, no parsing (where the I/O floor is).
 */
import { createReadStream } from 'node:fs';

const args = process.argv.slice(2);
const splitOnly = args.includes('--split-only');
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: node bench/limit-p.mjs FILE [--split-only]\n');
  process.exit(2);
}

let spans = 0;
let lines = 0;
let idChars = 0;

function onLine(buf, start, end) {
  if (end > start && buf[end - 1] === 0x0d) end--;
  if (end <= start) return;
  lines++;
  if (splitOnly) return;
  const doc = JSON.parse(buf.toString('utf8', start, end));
  for (const rs of doc.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        spans++;
        idChars += span.spanId.length + span.traceId.length;
      }
    }
  }
}

let pending = []; // pieces of a line that spans chunks
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  let start = 0;
  for (;;) {
    const nl = chunk.indexOf(0x0a, start);
    if (nl < 0) break;
    if (pending.length > 0) {
      pending.push(chunk.subarray(start, nl));
      const line = Buffer.concat(pending);
      pending = [];
      onLine(line, 0, line.length);
    } else {
      onLine(chunk, start, nl);
    }
    start = nl + 1;
  }
  if (start < chunk.length) pending.push(chunk.subarray(start));
}
if (pending.length > 0) {
  const line = Buffer.concat(pending);
  onLine(line, 0, line.length);
}
if (!splitOnly && spans > 0 && idChars < spans * 48) throw new Error('ids not touched');
process.stdout.write(`spans=${spans} lines=${lines}\n`);
