import { describe, expect, it } from 'vitest';
import type { GraphView, NodeView } from '../../src/model.js';
import { renderMermaid, renderMermaidMarkdown } from '../../src/report/render-mermaid.js';
import {
  IMG_TAG,
  emptyView,
  hostileView,
  namedViews,
  shopImpactView,
  shopView,
  service,
} from './sample-views.js';
import { expectGolden } from '../helpers/golden.js';

/** A node statement: id, opening bracket, quoted label, closing bracket. */
const NODE_LINE = /^ {4}(n\d+)(\["|\[\("|\[\/"|\{\{")([^"]*)("\]|"\)\]|"\/\]|"\}\})$/;
/** An edge statement with its quoted label. */
const EDGE_LINE = /^ {4}(n\d+) (-->|-\.->)\|"([^"]*)"\| (n\d+)$/;

/** What Mermaid shows for an entity-coded label, decoded in one pass as Mermaid does. */
function decodeEntityCodes(label: string): string {
  return label.replace(/#(\d+|quot|amp|lt|gt);/g, (_, code: string) =>
    /^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : (NAMED_ENTITIES[code] ?? ''),
  );
}
const NAMED_ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>' };

/** The label of every node, by node id. */
function nodeLabels(chart: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const line of chart.split('\n')) {
    const match = NODE_LINE.exec(line);
    if (match?.[1] !== undefined && match[3] !== undefined) labels.set(match[1], match[3]);
  }
  return labels;
}

describe('renderMermaid', () => {
  describe.each(namedViews)('$name graph', ({ name, view }) => {
    const chart = renderMermaid(view);

    it('matches its golden file', () => {
      expectGolden(chart, `${name}.mmd`);
    });

    it('is a left-to-right flowchart ending in a newline', () => {
      expect(chart.startsWith('flowchart LR\n')).toBe(true);
      expect(chart.endsWith('\n')).toBe(true);
      expect(renderMermaid(view)).toBe(chart);
    });

    it('has one statement per node and per edge, and nothing Mermaid would misread', () => {
      const lines = chart.trimEnd().split('\n').slice(1);
      expect(lines.filter((line) => NODE_LINE.test(line))).toHaveLength(view.nodes.length);
      expect(lines.filter((line) => EDGE_LINE.test(line))).toHaveLength(view.edges.length);
      for (const line of lines) {
        expect(line).toMatch(/^ {4}(n\d+[[{]|n\d+ -|classDef |class |linkStyle |%% no calls found$)/);
        // Mermaid's own pre-parse passes, which run on the whole text before its grammar:
        expect(line, 'a directive').not.toContain('%%{');
        expect(line, 'its CSS clean-up').not.toMatch(/style.*:\S*#.*;|classDef.*:\S*#.*;/);
        expect(line, 'a direction statement').not.toMatch(/direction\s+(TB|BT|RL|LR)/);
      }
    });
  });

  it('renders the empty graph as a valid, empty flowchart', () => {
    expect(renderMermaid(emptyView)).toBe('flowchart LR\n    %% no calls found\n');
  });

  it('numbers nodes in the order of the view, with a shape per kind', () => {
    const chart = renderMermaid(shopView);
    expect(chart).toContain('    n0{{"api.stripe.com"}}\n');
    expect(chart).toContain('    n1["checkout"]\n');
    expect(chart).toContain('    n3[/"kafka:orders"/]\n');
    expect(chart).toContain('    n5[("postgresql:orders")]\n');
    expect(chart).toContain('    n6["web-frontend"]\n');
  });

  it('draws sync calls solid and async calls dotted, labelled with calls and errors', () => {
    const chart = renderMermaid(shopView);
    expect(chart).toContain('    n1 -->|"163 calls, 3 errors"| n4\n');
    expect(chart).toContain('    n1 -.->|"118 calls"| n3\n');
    expect(chart).toContain('    n3 -.->|"118 calls"| n2\n');
    expect(chart).toContain('    n4 -->|"158 calls"| n0\n');
    expect(chart).not.toContain('0 errors');
  });

  it('defines a class per kind present and marks entry points', () => {
    const chart = renderMermaid(shopView);
    expect(chart).toContain('    class n1,n2,n4,n6 service\n');
    expect(chart).toContain('    class n5 database\n');
    expect(chart).toContain('    class n3 queue\n');
    expect(chart).toContain('    class n0 external\n');
    expect(chart).toContain('    class n6 entrypoint\n');
    for (const kind of ['service', 'database', 'queue', 'external', 'entrypoint']) {
      expect(chart).toMatch(new RegExp(`\\n {4}classDef ${kind} \\S`));
    }
    const onlyServices = renderMermaid({ nodes: [service('checkout')], edges: [] });
    expect(onlyServices).not.toContain('classDef database');
    expect(onlyServices).not.toContain('entrypoint');
  });

  it('styles edges by impact, by their position, only when impacts are set', () => {
    expect(renderMermaid(shopView)).not.toContain('linkStyle');
    const chart = renderMermaid(shopImpactView);
    expect(chart).toContain('    n6 -->|"680 calls (coordinated)"| n1\n');
    expect(chart).toContain('    linkStyle 1,2,4,7 stroke:#5f9e6e');
    expect(chart).toContain('    linkStyle 0,6 stroke:#e07400');
    expect(chart).toContain('    linkStyle 3,5 stroke:#c62828');
  });

  describe('names from traces', () => {
    const chart = renderMermaid(hostileView);
    const labels = nodeLabels(chart);

    it('keeps every label inside its quotes', () => {
      expect(labels.size).toBe(hostileView.nodes.length);
    });

    it('writes characters Mermaid, HTML or Markdown would read as entity codes', () => {
      for (const label of labels.values()) {
        expect(label).not.toMatch(/[<>&`*~[\]\\$|@%]/);
        expect(label.replace(/#(\d+|quot|amp|lt|gt);/g, '')).not.toContain('#');
        expect(label).not.toMatch(/^(-|\+|\d+[.)]( |$))|www\.|:\/\/|fa:fa-|_(?![\p{L}\p{N}])/u);
      }
      expect(chart).toContain('#lt;img src=x onerror=alert(1)#gt;');
      expect(chart).not.toMatch(/<img|<script|<br>/i);
    });

    it('shows each name as written, on one line', () => {
      const shown = [...labels.values()].map(decodeEntityCodes);
      for (const node of hostileView.nodes) {
        expect(shown).toContain(node.id.replace(/[\s\p{Cc}]+/gu, ' ').trim());
      }
      expect(shown).toContain(IMG_TAG);
      expect(shown).toContain('say "hi" then "leave"');
    });

    it('never lets a name open a Markdown list or a Mermaid markdown string', () => {
      const view: GraphView = {
        nodes: ['1. first', '- item', '+ item', '`code`', '  indented', ''].map(service),
        edges: [],
      };
      const shown = [...nodeLabels(renderMermaid(view)).values()];
      expect(shown).toEqual(['1#46; first', '#45; item', '#43; item', '#96;code#96;', 'indented', '#160;']);
    });

    it('cuts very long names, which would make GitHub refuse the whole chart', () => {
      const chart = renderMermaid({ nodes: [service('x'.repeat(60_000))], edges: [] });
      expect(chart.length).toBeLessThan(1_000);
      expect(chart).toContain(`["${'x'.repeat(119)}…"]`);
    });
  });
});

describe('renderMermaidMarkdown', () => {
  it('fences the flowchart for Markdown', () => {
    expect(renderMermaidMarkdown(shopView)).toBe('```mermaid\n' + renderMermaid(shopView) + '```\n');
  });

  it('cannot be closed early by a name', () => {
    const markdown = renderMermaidMarkdown(hostileView);
    expect(markdown.match(/```/g)).toHaveLength(2);
  });
});
