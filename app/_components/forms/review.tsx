import { describeAnswers } from '@/forms/runtime/answers';
import type { FormDefinition } from '@/forms/runtime/types';
import { NAV_FIELD, editValue } from './step';

/** The review page's body: every answered field of each shown page, with a "Modifier" button per page. */
export function ReviewAnswers({ definition, answers, pages }: { definition: FormDefinition; answers: Record<string, unknown>; pages: number[] }) {
  const lines = describeAnswers(definition, answers);
  return (
    <>
      <p className="hint">Relisez vos réponses avant d’envoyer votre demande. Vous pouvez encore modifier chaque étape.</p>
      {pages.map((index) => {
        const page = definition.ui.pages[index];
        const names = new Set(page.fields.map((f) => f.name));
        const answered = lines.filter((line) => names.has(line.name));
        const headingId = `revue-etape-${index}`;
        return (
          <section className="review-section" key={index} aria-labelledby={headingId}>
            <div className="review-head">
              <h3 id={headingId}>{page.title}</h3>
              <button type="submit" name={NAV_FIELD} value={editValue(index)} className="review-edit" formNoValidate>
                Modifier<span className="sr-only"> : {page.title}</span>
              </button>
            </div>
            {answered.length ? (
              <dl className="review-list">
                {answered.map((line) => (
                  <div key={line.name}>
                    <dt>{line.label}</dt>
                    <dd>{line.value}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="hint">Aucune information saisie à cette étape.</p>
            )}
          </section>
        );
      })}
    </>
  );
}
