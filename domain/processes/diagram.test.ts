import { describe, expect, it } from 'vitest';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import type { ProcessDefinition } from './definition';
import { diagramEdges, escapeXml, processMermaid, processSvg } from './diagram';

const byslug = (slug: string): ProcessDefinition => SHIPPED_PROCESSES.find((p) => p.slug === slug)!;

/** Attribute values of the elements of a class, read back from the SVG text (unescaped). */
function attributes(svg: string, cls: string, attribute: string): string[] {
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...svg.matchAll(new RegExp(`<g class="${cls}"[^>]*? ${attribute}="([^"]*)"`, 'g'))].map((m) => unescape(m[1]));
}

describe('processSvg', () => {
  it.each(SHIPPED_PROCESSES.map((p) => [p.slug, p] as const))('%s: every step and every arrow is drawn, with coordinates', (_slug, process) => {
    const svg = processSvg(process);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(attributes(svg, 'step', 'data-step')).toEqual(process.steps.map((s) => s.id));
    const edges = diagramEdges(process);
    expect(attributes(svg, 'edge', 'data-from')).toEqual(edges.map((e) => e.from));
    expect(attributes(svg, 'edge', 'data-to')).toEqual(edges.map((e) => e.to));
    expect(svg).not.toMatch(/NaN|undefined/);
    for (const step of process.steps) expect(svg).toContain(`>${escapeXml(step.label)}</text>`);
  });

  it('labels the branches in French', () => {
    const svg = processSvg(byslug('reservation-salle'));
    expect(attributes(svg, 'edge', 'data-branch')).toEqual(['acceptée', 'refusée', 'payée', 'impayée']);
    expect(attributes(processSvg(byslug('question')), 'edge', 'data-branch')).toEqual(['validée', 'à revoir']);
    expect(svg).toContain('>Décision · délai P5D (jours ouvrés)</text>');
    expect(svg).toContain('>Paiement</text>');
  });

  it('labels the branches of a request for information', () => {
    const definition: ProcessDefinition = {
      slug: 'essai',
      title: 'Essai',
      kind: 'question',
      guaranteedDelay: { delay: 'P8D', businessDays: false },
      start: 'a',
      steps: [
        { id: 'a', label: 'Accuser', kind: 'acknowledge', channels: ['reply'], next: 'b' },
        { id: 'b', label: 'Compléter', kind: 'request_information', timeout: 'P7D', next: 'c', abandoned: 'c' },
        { id: 'c', label: 'Clore', kind: 'close', outcome: 'closed' },
      ],
    };
    expect(attributes(processSvg(definition), 'edge', 'data-branch')).toEqual(['réponse reçue', 'sans réponse']);
  });

  it('escapes labels, titles and ids, so a label cannot inject markup', () => {
    const definition = structuredClone(byslug('question'));
    definition.title = 'Questions <script>alert("x")</script> & co';
    definition.steps[2].label = 'Répondre <b onclick="x">vite</b> & bien, l\'agent';
    const svg = processSvg(definition);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b onclick');
    expect(svg).toContain('<title>Questions &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>');
    expect(svg).toContain('>Répondre &lt;b onclick=&quot;x&quot;&gt;vite&lt;/b&gt; &amp; bien, l&#39;agent</text>');
    // Well-formed: every element opened is closed.
    const opened = (svg.match(/<(g|svg|defs|marker|text|title)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(g|svg|defs|marker|text|title)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});

describe('processMermaid', () => {
  it('writes a top-down flowchart with every step and labelled branches', () => {
    const text = processMermaid(byslug('question'));
    expect(text.split('\n').slice(0, 3)).toEqual(['flowchart TD', '  %% Question à la mairie (question)', '  s0(["Accuser réception de la demande<br/><small>Accusé de réception</small>"])']);
    expect(text).toContain('  s3{{"Valider la réponse<br/><small>Validation</small>"}}');
    expect(text).toContain('  s3 -->|"validée"| s4');
    expect(text).toContain('  s3 -->|"à revoir"| s2');
    expect(text).toContain('  s0 --> s1');
    expect(text.match(/-->/g)).toHaveLength(diagramEdges(byslug('question')).length);
  });

  it('escapes quotes and markup in labels', () => {
    const definition = structuredClone(byslug('question'));
    definition.steps[0].label = 'Dire "merci" <tout> de suite #1';
    expect(processMermaid(definition)).toContain('s0(["Dire #quot;merci#quot; #lt;tout#gt; de suite #35;1<br/>');
  });
});
