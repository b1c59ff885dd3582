import { describe, expect, it } from 'vitest';
import type { GraphView, NodeView } from '../../src/model.js';
import { renderDot } from '../../src/report/render-dot.js';
import {
  BACKSLASHES,
  IMG_TAG,
  QUOTES_AND_NEWLINE,
  emptyView,
  hostileView,
  namedViews,
  shopImpactView,
  shopView,
  service,
} from './sample-views.js';
import { expectGolden } from '../helpers/golden.js';
import { decodeXml, expectSvgNamesEveryNode, hasSystemDot, layOutAsJson, layOutWithSystemDot, layOutWithWasm, svgTexts } from '../helpers/graphviz.js';

describe('renderDot', () => {
  describe.each(namedViews)('$name graph', ({ name, view }) => {
    const source = renderDot(view);

    it('matches its golden file', () => {
      expectGolden(source, `${name}.dot`);
    });

    it('is one digraph ending in a newline', () => {
      expect(source.startsWith('digraph rollgraph {\n')).toBe(true);
      expect(source.endsWith('\n}\n')).toBe(true);
    });

    it('is the same every time', () => {
      expect(renderDot(view)).toBe(source);
    });

    it('lays out with the WebAssembly Graphviz and names every node', () => {
      const svg = layOutWithWasm(source);
      expect(svg).toContain('<svg');
      expectSvgNamesEveryNode(svg, view);
    });

    it.skipIf(!hasSystemDot)('lays out with the system Graphviz and names every node', () => {
      const svg = layOutWithSystemDot(source);
      expect(svg).toContain('<svg');
      expectSvgNamesEveryNode(svg, view);
    });
  });

  it('renders the empty graph as a valid digraph saying so', () => {
    const source = renderDot(emptyView);
    expect(source).toContain('label="no calls found"');
    expect(source).not.toContain('cluster_legend');
    expect(layOutWithWasm(source)).toContain('no calls found');
  });

  it('lays the graph out left to right and quotes every node id', () => {
    const source = renderDot(shopView);
    expect(source).toContain('rankdir=LR');
    for (const node of shopView.nodes) expect(source).toContain(`\n  "${node.id}" [label="${node.id}`);
    expect(source).toContain('"payments" -> "api.stripe.com" [');
  });

  it('follows the order of the view', () => {
    const source = renderDot(shopView);
    const positions = shopView.nodes.map((node) => source.indexOf(`\n  "${node.id}" [`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('gives each kind its shape and marks the entry point', () => {
    const source = renderDot(shopView);
    expect(source).toMatch(/"checkout" \[[^\n]*shape=box, style="rounded,filled"/);
    expect(source).toMatch(/"postgresql:orders" \[[^\n]*shape=cylinder/);
    expect(source).toMatch(/"kafka:orders" \[[^\n]*shape=cds/);
    expect(source).toMatch(/"api.stripe.com" \[[^\n]*shape=hexagon/);
    expect(source).toMatch(/"web-frontend" \[label="web-frontend\\n2.15.0\\n\(entry point\)"[^\n]*penwidth=2.5/);
    expect(source).not.toMatch(/"checkout" \[[^\n]*penwidth/);
  });

  it('dashes async edges only', () => {
    const source = renderDot(shopView);
    const dashed = source.split('\n').filter((line) => line.includes(' -> ') && line.includes('style=dashed'));
    expect(dashed.filter((line) => !line.includes('"legend '))).toEqual([
      expect.stringContaining('"checkout" -> "kafka:orders"'),
      expect.stringContaining('"kafka:orders" -> "inventory"'),
    ]);
  });

  it('labels edges with calls, errors when there are some, and the top operations', () => {
    const source = renderDot(shopView);
    expect(source).toContain(
      '"checkout" -> "payments" [label="163 calls, 3 errors\\lPOST /payments (118)\\lGET /payments/{id} (40)\\l+2 more\\l"]',
    );
    expect(source).toContain(
      '"checkout" -> "postgresql:orders" [label="370 calls\\lSELECT (240)\\lINSERT (118)\\lUPDATE (12)\\l"]',
    );
    expect(source).not.toContain('0 errors');
  });

  it('colours edges by impact and explains the colours in the legend only then', () => {
    const plain = renderDot(shopView);
    expect(plain).not.toContain('rollback:');
    expect(plain).not.toContain('#e07400');

    const tagged = renderDot(shopImpactView);
    expect(tagged).toContain('"web-frontend" -> "checkout" [label="680 calls [coordinated]');
    expect(tagged).toMatch(/"web-frontend" -> "checkout" \[[^\n]*color="#e07400"/);
    expect(tagged).toMatch(/"checkout" -> "postgresql:orders" \[[^\n]*color="#c62828"/);
    expect(tagged).toMatch(/"web-frontend" -> "inventory" \[[^\n]*color="#5f9e6e"/);
    for (const impact of ['independent', 'coordinated', 'data-migration']) {
      expect(tagged).toContain(`[label="rollback: ${impact}"`);
    }
  });

  it('legends only the impacts that occur', () => {
    const [first] = shopImpactView.edges;
    if (first === undefined) throw new Error('the shop has edges');
    const source = renderDot({ nodes: shopImpactView.nodes, edges: [first] });
    expect(source).toContain('rollback: coordinated');
    expect(source).not.toContain('rollback: independent');
  });

  it('puts the legend in a cluster of its own, whatever the services are called', () => {
    const view: GraphView = { nodes: [service('legend service'), service('legend sync call')], edges: [] };
    const source = renderDot(view);
    expect(source).toContain('subgraph cluster_legend {');
    expect(source).toContain('"legend service 2" [label="service"');
    expect(source).toContain('"legend sync call 2" [label="sync call"');
    const layout = layOutAsJson<{ objects: { name: string }[] }>(source);
    const names = layout.objects.map((object) => object.name);
    expect(names.filter((name) => name === 'legend service')).toHaveLength(1);
  });

  describe('names from traces', () => {
    it('keeps hostile names plain text in the SVG', () => {
      const svgs = [layOutWithWasm(renderDot(hostileView))];
      if (hasSystemDot) svgs.push(layOutWithSystemDot(renderDot(hostileView)));
      for (const svg of svgs) {
        expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
        expect(svg).not.toMatch(/<img/i);
        expect(svg).not.toMatch(/<script/i);
        expect(svg).not.toContain('pwned"');
        expect(svgTexts(svg)).toContain('1.0.0"><script>alert(2)</script>');
      }
    });

    it('never writes a raw line break, quote or control character inside a string', () => {
      const source = renderDot(hostileView);
      const statements = source.split('\n');
      // One line per node and edge: nothing from the traces started a new line.
      expect(statements.filter((line) => /^ {2}"/.test(line))).toHaveLength(
        hostileView.nodes.length + hostileView.edges.length,
      );
      expect(source).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(source).toContain(`"say \\"hi\\"\\nthen \\"leave\\""`);
      expect(source).toContain('"C:\\\\svc\\\\N\\\\G\\\\"');
    });

    it('does not let Graphviz expand backslash escapes such as \\N and \\G', () => {
      const texts = svgTexts(layOutWithWasm(renderDot(hostileView)));
      expect(texts).toContain(BACKSLASHES);
      expect(texts).toContain('SELECT \\N (4)');
    });

    it('keeps distinct names distinct nodes', () => {
      const names = [
        'a\nb',
        'a\\nb',
        'a"b',
        'a\\"b',
        'a\\',
        'a\\\\',
        '%x',
        '\\x25x',
        'a\u0007',
        'a\\x07',
        'a\u202eb',
        'a\\u202Eb',
        'a\ud800b',
        '',
      ];
      const view: GraphView = {
        nodes: names.map(service),
        edges: names.slice(1).map((to, index) => ({
          from: names[index] ?? '',
          to,
          type: 'sync',
          calls: 1,
          errors: 0,
          operations: [],
          via: null,
          callerVersions: [],
          calleeVersions: [],
          environments: [],
          firstSeen: null,
          lastSeen: null,
          sampleTraceIds: [],
        })),
      };
      const layout = layOutAsJson<{ objects: { name: string; nodes?: unknown }[]; edges: unknown[] }>(renderDot(view));
      const real = layout.objects.filter((object) => !('nodes' in object) && !object.name.startsWith('legend '));
      expect(real).toHaveLength(names.length);
      expect(new Set(real.map((object) => object.name)).size).toBe(names.length);
    });

    it('splits very long ids so that Graphviz 2.4x can still read them', () => {
      const long = `${'ä'.repeat(6000)}"${'x'.repeat(6000)}`;
      const view: GraphView = { nodes: [service(long)], edges: [] };
      const source = renderDot(view);
      expect(source).toMatch(/" \+ "/);
      expect(source).toContain('…", shape=box');
      const svgs = [layOutWithWasm(source)];
      if (hasSystemDot) svgs.push(layOutWithSystemDot(source));
      for (const svg of svgs) {
        expect(decodeXml(svg)).toContain(`<title>${long}</title>`);
      }
    });

    it('renders the names of the hostile sample', () => {
      const source = renderDot(hostileView);
      expect(source).toContain(`"${IMG_TAG}" [label="${IMG_TAG}\\n`);
      expect(source).toContain(QUOTES_AND_NEWLINE.replace(/"/g, '\\"').replace(/\n/g, '\\n'));
    });
  });
});
