/**
 * Named ingest scenarios from bundled traces, through the whole pipeline (read, derive, build,
 * render), compared with golden JSON, DOT and Mermaid files; every DOT output is laid out by
 * Graphviz.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDot } from '../src/report/render-dot.js';
import { renderJson } from '../src/report/render-json.js';
import { renderMermaid } from '../src/report/render-mermaid.js';
import { expectGolden } from './helpers/golden.js';
import { expectSvgNamesEveryNode, hasSystemDot, layOutWithSystemDot, layOutWithWasm } from './helpers/graphviz.js';
import { deriveFiles } from './helpers/otlp.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const file = (path: string) => ({ [path]: readFileSync(new URL(path, FIXTURES)) });
const dir = (path: string) => Object.assign({}, ...readdirSync(new URL(path, FIXTURES)).sort().map((f) => file(`${path}/${f}`)));

const SCENARIOS: Record<string, Record<string, Buffer>> = {
  'grafana-agent-tns': file('real/grafana-agent/trace-sample.json'),
  'otelcol-virtual-nodes': file('real/otelcol-servicegraph/virtual-node-label-trace.json'),
  'zipkin-uninstrumented-peers': file('real/zipkin-itdependencies/notInstrumentedClientAndServer.otlp.json'),
  'demo-day1': dir('demo/day1'),
};

describe('scenarios, end to end', () => {
  for (const [name, files] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const { view } = await deriveFiles(files);
      expectGolden(renderJson(view), `scenarios/${name}.json`);
      expectGolden(renderMermaid(view), `scenarios/${name}.mmd`);
      const dot = renderDot(view);
      expectGolden(dot, `scenarios/${name}.dot`);
      expectSvgNamesEveryNode(layOutWithWasm(dot), view);
      if (hasSystemDot) expectSvgNamesEveryNode(layOutWithSystemDot(dot), view);
      expect(view.nodes.length).toBeGreaterThan(0);
    });
  }
});
