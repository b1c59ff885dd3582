/**
 * The limits of docs/limits.md: each breach names file, line or field and the limit, the records
 * before it still count, and raising the limit in the config file's `limits` section reads it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config/compile-config.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.js';
import { formatRejection } from '../../src/report/render-summary.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { KIND, derive, edgeLines, otlpLines } from '../helpers/otlp.js';

const pair = [
  { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client }] },
  { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
];
const EXPECTED = ['checkout -> payments sync 1/0'];

/** The `limits` a config file text gives, through the same parse and compile as the CLI. */
function limitsOf(yaml: string) {
  const parsed = parseConfig(yaml, 'yaml');
  if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
  return compileConfig(parsed.config).limits;
}

describe('the limits section of the config file', () => {
  it('takes each limit, and names a misspelt one or a bad value', () => {
    expect(limitsOf('limits:\n  maxNestingDepth: 5000\n  maxDecompressedBytes: null\n')).toEqual({ maxNestingDepth: 5000, maxDecompressedBytes: null });
    expect(limitsOf('impact: []\n')).toEqual({});
    const bad = parseConfig('limits:\n  maxNestingDepht: 5\n  maxValueBytes: -1\n  maxSpansPerTrace: 1.5\n', 'yaml');
    expect('problems' in bad && bad.problems).toEqual([
      'limits.maxValueBytes: must be above 0',
      'limits.maxSpansPerTrace: must be a whole number',
      expect.stringContaining('limits: unknown key "maxNestingDepht" (known keys: maxValueBytes, maxNestingDepth,'),
    ]);
  });
});

describe('each breach is reported, and raising the limit reads the input', () => {
  it('nesting depth', async () => {
    const deep = otlpLines(pair).replace('"kind":3', `"kind":3,"attributes":[{"key":"deep","value":${'{"arrayValue":{"values":['.repeat(400)}{}${']}}'.repeat(400)}}]`);
    const d = await derive(deep);
    expect(edgeLines(d)).toEqual([]);
    expect(d.rejected.map(formatRejection)).toEqual([
      `traces.json:1: resourceSpans[0].scopeSpans[0].spans[0]: JSON nested deeper than limits.maxNestingDepth (${DEFAULT_LIMITS.maxNestingDepth} levels) was not read; raise limits.maxNestingDepth in the config file to read it`,
    ]);
    const raised = await derive(deep, { limits: limitsOf('limits:\n  maxNestingDepth: 2000\n') });
    expect(edgeLines(raised)).toEqual(EXPECTED);
    expect(raised.rejectedCount).toBe(0);
  });

  it('size of one JSON value (a span)', async () => {
    const text = otlpLines(pair);
    const small = await derive(text, { limits: { maxValueBytes: 100 }, chunkSize: 64 });
    expect(small.rejected.map(formatRejection)).toEqual([
      'traces.json:1: resourceSpans[0].scopeSpans[0].spans[0]: a JSON value larger than limits.maxValueBytes (100 bytes) was not read; raise limits.maxValueBytes in the config file to read it',
      'traces.json:2: resourceSpans[0].scopeSpans[0].spans[0]: a JSON value larger than limits.maxValueBytes (100 bytes) was not read; raise limits.maxValueBytes in the config file to read it',
    ]);
    expect(edgeLines(await derive(text, { limits: { maxValueBytes: 1000 }, chunkSize: 64 }))).toEqual(EXPECTED);
  });

  it('the limits of the config file reach the readers of every command that reads traces', async () => {
    const dir = tempDir();
    const long = 'SELECT 1 -- ' + 'x'.repeat(100);
    writeFileSync(join(dir, 'traces.jsonl'), otlpLines([{ service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'db.system': 'postgresql', 'db.query.text': long } }] }]));
    writeFileSync(join(dir, 'rollgraph.config.yaml'), 'limits:\n  maxAttributeBytes: 50\n');
    for (const argv of [['export', '--format', 'json', '--input', 'traces.jsonl'], ['--db', 'r.db', 'ingest', 'traces.jsonl'], ['--db', 'n.db', 'nightly', 'traces.jsonl']]) {
      const r = await runCli(argv, { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('attribute values longer than limits.maxAttributeBytes (50 bytes) ignored');
    }
  });

  it('attribute values: the span counts, the long value is ignored with a warning', async () => {
    const long = 'SELECT 1 -- ' + 'x'.repeat(100);
    const text = otlpLines([{ service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'db.system': 'postgresql', 'db.query.text': long } }] }]);
    const d = await derive(text, { limits: { maxAttributeBytes: 50 } });
    expect(d.stats.spans).toBe(1);
    expect(d.warnings).toEqual([
      'attribute values longer than limits.maxAttributeBytes (50 bytes) ignored, the first at traces.json:1 resourceSpans[0].scopeSpans[0].spans[0].attributes["db.query.text"] (112 bytes); raise limits.maxAttributeBytes in the config file to read it: 1 in traces.json',
    ]);
    expect((await derive(text)).warnings).toEqual([]);
  });

  it('decompression ratio: a gzip input expanding past the ratio stops, the records before it count', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from(otlpLines(pair)), Buffer.alloc(4 * 1024 * 1024, 0x20)]));
    const stopped = await derive(bomb, { limits: { decompressionRatioFloor: 1024 * 1024, maxDecompressionRatio: 100 } });
    expect(edgeLines(stopped)).toEqual(EXPECTED);
    expect(stopped.rejected.map(formatRejection)).toEqual([
      expect.stringMatching(/^traces\.json:3: gzip data expands more than limits\.maxDecompressionRatio \(100 times\): .* \(raise limits\.maxDecompressionRatio in the config file to read it\); records before it were read$/),
    ]);
    const whole = await derive(bomb, { limits: { decompressionRatioFloor: 1024 * 1024, maxDecompressionRatio: 10_000 } });
    expect(whole.rejectedCount).toBe(0);
    const capped = await derive(bomb, { limits: { maxDecompressedBytes: 2 * 1024 * 1024 } });
    expect(capped.rejected.map(formatRejection)).toEqual([expect.stringContaining('gzip data expands to more than limits.maxDecompressedBytes (2 MiB)')]);
  });

  it('spans per trace: the spans beyond are ignored and counted, the trace is still paired', async () => {
    const spans = [{ id: 'c1', kind: KIND.client }, ...Array.from({ length: 5 }, (_, i) => ({ id: `i${i}`, parent: 'c1' }))];
    const text = otlpLines([{ service: 'checkout', spans }, { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] }]);
    const d = await derive(text, { limits: { maxSpansPerTrace: 4 } });
    expect(d.stats.spans).toBe(7);
    expect(d.warnings).toEqual([
      expect.stringMatching(/^traces with more than limits\.maxSpansPerTrace \(4\) spans: 3 spans beyond it ignored in 1 trace \(the first: trace [0-9a-f]{32} in traces\.json\); raise limits\.maxSpansPerTrace in the config file to read it$/),
    ]);
    expect(edgeLines(await derive(text))).toEqual(EXPECTED);
  });
});
