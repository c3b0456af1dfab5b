import { useId } from 'react';

/** A step as the text alternative of the diagram reads it. */
export interface DiagramStep {
  id: string;
  label: string;
  kind: string;
  delay: string | null;
  next: Array<{ id: string; label: string; branch: string }>;
}

/**
 * A process diagram: the SVG drawn by domain/processes/diagram.ts (every text in it escaped there), and, as its text
 * alternative, the list of the steps with where each leads.
 */
export function ProcessDiagram({ svg, title, steps }: { svg: string; title: string; steps: DiagramStep[] }) {
  const id = useId();
  // Two diagrams on one page (the current one and a preview) must not share their arrowhead's id.
  const marker = `fleche-${id.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const drawn = svg.replace('id="fleche"', `id="${marker}"`).replaceAll('url(#fleche)', `url(#${marker})`);
  return (
    <figure aria-labelledby={`${id}-caption`} className="card">
      <div className="process-diagram" dangerouslySetInnerHTML={{ __html: drawn }} />
      <figcaption id={`${id}-caption`}>
        <strong>Schéma du processus « {title} »</strong>
        <details>
          <summary>Les étapes, en texte</summary>
          <ol>
            {steps.map((step) => (
              <li key={step.id}>
                {step.label} ({step.kind}
                {step.delay ? `, délai ${step.delay}` : ''})
                {step.next.length
                  ? ` → ${step.next.map((n) => (n.branch ? `${n.branch} : ${n.label}` : n.label)).join(' ; ')}`
                  : ' — fin de la demande'}
              </li>
            ))}
          </ol>
        </details>
      </figcaption>
    </figure>
  );
}
