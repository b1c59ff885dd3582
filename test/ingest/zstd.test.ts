import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatRejection } from '../../src/report/render-summary.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { deriveFiles } from '../helpers/otlp.js';

const bytes = (name: string) => readFileSync(join(ROOT, 'fixtures', name));
const exportJson = (...inputs: string[]) => runCli(['export', '--input', ...inputs, '--format', 'json']);
const messages = (d: Awaited<ReturnType<typeof deriveFiles>>) => d.rejected.map(formatRejection);

const DAY1_JSON = 'fixtures/demo/day1/traces.jsonl';
// fixtures/demo/README.md: day1/traces.jsonl alone is 1053 spans of 152 traces.
const DAY1_SPANS = 1053;

describe('zstd inputs give exactly what the uncompressed input gives', () => {
  const cases = [
    ['a zstd stream of JSON Lines (format: json, native compression)', 'protobuf/demo-day1-traces.jsonl.zst'],
    ['a zstd stream of length-prefixed protobuf (format: proto, native compression)', 'protobuf/demo-day1-traces.binpb.zst'],
    ['length-prefixed zstd frames of protobuf (format: proto, legacy compression)', 'protobuf/demo-day1-traces.legacy-zstd.binpb'],
    ['length-prefixed zstd frames of JSON (format: json, legacy compression)', 'protobuf/demo-day1-traces.legacy-zstd.json'],
  ] as const;

  for (const [what, file] of cases) {
    it(what, async () => {
      const expected = await exportJson(DAY1_JSON);
      const got = await exportJson(`fixtures/${file}`);
      expect(got.code).toBe(0);
      expect(got.stdout).toBe(expected.stdout);
      expect(got.stderr).toContain(`read 1 input: 1,053 spans in 152 traces`);
      expect(got.stderr).not.toContain('rejected');
    });
  }

  it('concatenated zstd streams (rotated files joined) are read to the end', async () => {
    const once = bytes('protobuf/demo-day1-traces.jsonl.zst');
    const d = await deriveFiles({ 'joined.zst': Buffer.concat([once, once]) });
    expect(d.rejected).toEqual([]);
    expect(d.stats.spans).toBe(2 * DAY1_SPANS);
  });
});

describe('damaged zstd: records before the damage count, then a rejection naming file, layout and position', () => {
  it('a truncated zstd stream', async () => {
    const d = await deriveFiles({ 'traces.jsonl.zst': bytes('protobuf/demo-day1-traces.jsonl.zst').subarray(0, 20_000) });
    expect(d.stats.spans).toBeGreaterThan(0);
    expect(d.stats.spans).toBeLessThan(DAY1_SPANS);
    expect(messages(d).at(-1)).toMatch(
      /^traces\.jsonl\.zst:\d+: zstd stream: damaged or truncated within the first 20000 compressed bytes \(unexpected EOF\); records before it were read$/,
    );
  });

  it('garbage after a zstd stream', async () => {
    const d = await deriveFiles({ 'traces.zst': Buffer.concat([bytes('protobuf/demo-day1-traces.binpb.zst'), Buffer.from('not zstd at all')]) });
    expect(d.stats.spans).toBe(DAY1_SPANS);
    expect(messages(d)).toEqual([expect.stringMatching(/^traces\.zst:\d+: zstd stream: damaged or truncated within the first \d+ compressed bytes \(invalid zstd data\)/)]);
  });

  it('a truncated file of length-prefixed zstd frames', async () => {
    const d = await deriveFiles({ 'traces.binpb': bytes('protobuf/demo-day1-traces.legacy-zstd.binpb').subarray(0, 50_000) });
    expect(d.stats.spans).toBeGreaterThan(0);
    expect(d.stats.spans).toBeLessThan(DAY1_SPANS);
    expect(messages(d)).toEqual([
      expect.stringMatching(
        /^traces\.binpb:\d+: zstd, length-prefixed frames \(the Collector file exporter's legacy layout\): frame \d+ at byte \d+: truncated: its length prefix says \d+ bytes, only \d+ follow; records before it were read$/,
      ),
    ]);
  });

  it('a damaged frame among length-prefixed zstd frames', async () => {
    const file = Buffer.from(bytes('protobuf/demo-day1-traces.legacy-zstd.json'));
    const first = file.readUInt32BE(0);
    const second = 4 + first;
    file.fill(0x55, second + 4 + 6, second + 4 + 40); // inside the second frame's compressed data
    const d = await deriveFiles({ 'traces.json': file });
    expect(d.stats.spans).toBeGreaterThan(0);
    expect(messages(d)).toEqual([
      expect.stringMatching(new RegExp(`^traces\\.json:\\d+: zstd, length-prefixed frames .*: frame 2 at byte ${second}: not a complete zstd frame \\(.+\\); records before it were read$`)),
    ]);
  });

  it('zstd inside gzip is named, not misread', async () => {
    const d = await deriveFiles({ 'traces.gz': gzipSync(bytes('protobuf/demo-day1-traces.jsonl.zst')) });
    expect(messages(d)).toEqual(['traces.gz:1: zstd data inside compressed data is not supported; decompress the outer layer first']);
  });
});

describe('zstd that yields nothing', () => {
  it('a zstd header and nothing more is one rejection naming the layout', async () => {
    const d = await deriveFiles({ 'traces.zst': Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]) });
    expect(messages(d)).toEqual(['traces.zst:1: zstd stream: damaged or truncated within the first 6 compressed bytes (unexpected EOF); nothing could be read']);
  });

  it('a complete but empty zstd stream says it is empty after decompression', async () => {
    const empty = Buffer.from('KLUv/SQAAQAAmenYUQ==', 'base64'); // `printf '' | zstd -c | base64`
    const d = await deriveFiles({ 'traces.zst': empty });
    expect(messages(d)).toEqual(['traces.zst:1: empty after decompression: no trace data']);
  });
});
