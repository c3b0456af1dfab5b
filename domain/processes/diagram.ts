/**
 * Draws a process: an SVG laid out with dagre (boxes for steps, arrows labelled with the branch), and a Mermaid
 * `flowchart TD` text for documentation. Pure: no database, no DOM.
 */
import { Graph, layout, type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import { successorsOf, type ProcessDefinition, type ProcessStep, type StepKind } from './definition';

/** The kinds of step, in French, as agents and designers read them. */
export const STEP_KIND_LABELS: Record<StepKind, string> = {
  acknowledge: 'Accusé de réception',
  route: 'Attribution',
  answer: 'Réponse',
  validate: 'Validation',
  request_information: 'Demande de complément',
  decide: 'Décision',
  issue_document: 'Document',
  export: 'Export',
  collect_payment: 'Paiement',
  notify: 'Message',
  wait: 'Attente',
  close: 'Clôture',
};

/** The branch names of the steps with two ways out, in the order of `successorsOf`. */
const BRANCH_LABELS: Partial<Record<StepKind, [string, string]>> = {
  validate: ['validée', 'à revoir'],
  decide: ['acceptée', 'refusée'],
  collect_payment: ['payée', 'impayée'],
  request_information: ['réponse reçue', 'sans réponse'],
};

/** One arrow of the diagram; `label` is empty for the only way out of a step. */
export interface DiagramEdge {
  from: string;
  to: string;
  label: string;
}

/** The arrows of a process, to known steps only, in step order. */
export function diagramEdges(definition: ProcessDefinition): DiagramEdge[] {
  const known = new Set(definition.steps.map((s) => s.id));
  return definition.steps.flatMap((step) =>
    successorsOf(step)
      .map((to, i) => ({ from: step.id, to, label: BRANCH_LABELS[step.kind]?.[i] ?? '' }))
      .filter((edge) => known.has(edge.to)),
  );
}

/** The second line of a box: the kind, and the step's own delay. */
export function kindLine(step: ProcessStep): string {
  const delay = step.delay ? ` · délai ${step.delay.delay}${step.delay.businessDays ? ' (jours ouvrés)' : ''}` : '';
  return `${STEP_KIND_LABELS[step.kind]}${delay}`;
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CHAR_WIDTH = 7.2;
const NODE_HEIGHT = 52;
const FONT = 'font-family="Marianne, Arial, sans-serif"';

function fillOf(kind: StepKind): string {
  if (kind === 'acknowledge' || kind === 'close') return '#e3e3fd';
  if (kind === 'answer' || kind === 'validate' || kind === 'decide' || kind === 'request_information' || kind === 'collect_payment' || kind === 'wait') {
    return '#fff4e5';
  }
  return '#f6f6f6';
}

/** The process as an SVG document: one `<g class="step">` per step and one `<g class="edge">` per arrow. */
export function processSvg(definition: ProcessDefinition): string {
  const graph = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 56, edgesep: 20, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  const seen = new Set<string>();
  const steps = definition.steps.filter((s) => !seen.has(s.id) && seen.add(s.id));
  for (const step of steps) {
    const width = Math.min(360, Math.max(160, Math.max(step.label.length, kindLine(step).length * 0.9) * CHAR_WIDTH + 28));
    graph.setNode(step.id, { width, height: NODE_HEIGHT });
  }
  const edges = diagramEdges(definition);
  edges.forEach((edge, i) => {
    graph.setEdge(edge.from, edge.to, { width: edge.label ? edge.label.length * CHAR_WIDTH * 0.9 + 12 : 0, height: edge.label ? 18 : 0, labelpos: 'c' }, `e${i}`);
  });
  layout(graph);
  const { width = 0, height = 0 } = graph.graph();

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="${escapeXml(`Processus « ${definition.title} »`)}">`,
    `<title>${escapeXml(definition.title)}</title>`,
    '<defs><marker id="fleche" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#3a3a3a"/></marker></defs>',
  );
  edges.forEach((edge, i) => {
    const laid = graph.edge({ v: edge.from, w: edge.to, name: `e${i}` });
    const points = (laid.points ?? []).map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    out.push(
      `<g class="edge" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}"${edge.label ? ` data-branch="${escapeXml(edge.label)}"` : ''}>`,
      `<polyline points="${points}" fill="none" stroke="#3a3a3a" stroke-width="1.5" marker-end="url(#fleche)"/>`,
    );
    if (edge.label && laid.x !== undefined && laid.y !== undefined) {
      const w = edge.label.length * CHAR_WIDTH * 0.9 + 12;
      out.push(
        `<rect x="${(laid.x - w / 2).toFixed(1)}" y="${(laid.y - 9).toFixed(1)}" width="${w.toFixed(1)}" height="18" rx="4" fill="#ffffff" stroke="#cecece"/>`,
        `<text x="${laid.x.toFixed(1)}" y="${(laid.y + 4).toFixed(1)}" text-anchor="middle" font-size="11" ${FONT} fill="#3a3a3a">${escapeXml(edge.label)}</text>`,
      );
    }
    out.push('</g>');
  });
  for (const step of steps) {
    const node = graph.node(step.id);
    const [cx, cy] = [node.x ?? 0, node.y ?? 0];
    const x = cx - node.width / 2;
    const y = cy - node.height / 2;
    const rounded = step.kind === 'acknowledge' || step.kind === 'close' ? NODE_HEIGHT / 2 : 6;
    const start = step.id === definition.start;
    out.push(
      `<g class="step" data-step="${escapeXml(step.id)}" data-kind="${step.kind}">`,
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${node.width.toFixed(1)}" height="${node.height}" rx="${rounded}" fill="${fillOf(step.kind)}" stroke="${start ? '#000091' : '#666666'}" stroke-width="${start ? 2.5 : 1.2}"/>`,
      `<text x="${cx.toFixed(1)}" y="${(cy - 5).toFixed(1)}" text-anchor="middle" font-size="13" font-weight="bold" ${FONT} fill="#161616">${escapeXml(step.label)}</text>`,
      `<text x="${cx.toFixed(1)}" y="${(cy + 14).toFixed(1)}" text-anchor="middle" font-size="11" ${FONT} fill="#3a3a3a">${escapeXml(kindLine(step))}</text>`,
      '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Text inside a Mermaid quoted label: quotes and angle brackets as Mermaid entities. */
function mermaidText(text: string): string {
  return text.replace(/[#"<>&]/g, (c) => ({ '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' })[c]!);
}

/** The process as a Mermaid `flowchart TD` (steps are numbered `s0`, `s1`, … so any id is safe). */
export function processMermaid(definition: ProcessDefinition): string {
  const idOf = new Map<string, string>();
  definition.steps.forEach((step, i) => {
    if (!idOf.has(step.id)) idOf.set(step.id, `s${i}`);
  });
  const lines = ['flowchart TD', `  %% ${definition.title.replace(/[\r\n]+/g, ' ')} (${definition.slug})`];
  const seen = new Set<string>();
  for (const step of definition.steps) {
    if (seen.has(step.id)) continue;
    seen.add(step.id);
    const text = `"${mermaidText(step.label)}<br/><small>${mermaidText(kindLine(step))}</small>"`;
    const id = idOf.get(step.id)!;
    const shape = step.kind === 'acknowledge' || step.kind === 'close' ? `([${text}])` : BRANCH_LABELS[step.kind] ? `{{${text}}}` : `[${text}]`;
    lines.push(`  ${id}${shape}`);
  }
  for (const edge of diagramEdges(definition)) {
    const arrow = edge.label ? ` -->|"${mermaidText(edge.label)}"| ` : ' --> ';
    lines.push(`  ${idOf.get(edge.from)}${arrow}${idOf.get(edge.to)}`);
  }
  return `${lines.join('\n')}\n`;
}
