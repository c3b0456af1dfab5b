import type { FormError, UiField } from '@/forms/runtime/types';
import { ADDRESS_PARTS, fieldId } from './values';

/** Props of one field: its definition, current value and errors (at the field or its parts). */
export interface FieldProps {
  field: UiField;
  value: unknown;
  errors: FormError[];
  optional: boolean;
}

const INPUT_TYPES: Partial<Record<UiField['widget'], string>> = { text: 'text', email: 'email', tel: 'tel', date: 'date', postcode: 'text', number: 'text' };

function ErrorText({ id, errors }: { id: string; errors: FormError[] }) {
  if (!errors.length) return null;
  return (
    <p className="field-error" id={id}>
      {errors.map((e, i) => (
        <span key={i}>
          <span className="sr-only">Erreur : </span>
          {e.message}
        </span>
      ))}
    </p>
  );
}

function describedBy(...ids: Array<string | false | undefined>): string | undefined {
  const list = ids.filter(Boolean).join(' ');
  return list || undefined;
}

function label(field: UiField, optional: boolean): string {
  return optional && field.widget !== 'checkbox' && !/facultati/i.test(field.label) ? `${field.label} (facultatif)` : field.label;
}

/** One form field, rendered from its widget; works without JavaScript (plain inputs, names are JSON pointers). */
export function FormField({ field, value, errors, optional }: FieldProps) {
  const id = fieldId(field.name);
  const own = errors.filter((e) => e.path === field.name || field.widget !== 'address');
  const helpId = field.help ? `${id}-aide` : undefined;
  const errorId = own.length ? `${id}-erreur` : undefined;
  const invalid = errors.length > 0;
  const className = `field${invalid ? ' field-invalid' : ''}`;
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';

  if (field.widget === 'radio' || field.widget === 'checkboxes') {
    const picked = Array.isArray(value) ? value : [value];
    return (
      <fieldset className={className} aria-describedby={describedBy(helpId, errorId)}>
        <legend className="field-legend">{label(field, optional)}</legend>
        {field.help ? <p className="hint" id={helpId}>{field.help}</p> : null}
        <ErrorText id={`${id}-erreur`} errors={own} />
        <div className={field.widget === 'radio' ? 'radios' : 'checkboxes'}>
          {field.options?.map((option, i) => (
            <div className={field.widget === 'radio' ? 'radio' : 'checkbox'} key={String(option.value)}>
              <input
                type={field.widget === 'radio' ? 'radio' : 'checkbox'}
                id={fieldId(field.name, i)}
                name={field.name}
                value={String(option.value)}
                defaultChecked={picked.includes(option.value)}
                aria-invalid={invalid || undefined}
              />
              <label htmlFor={fieldId(field.name, i)}>{option.label}</label>
            </div>
          ))}
        </div>
      </fieldset>
    );
  }

  if (field.widget === 'checkbox') {
    return (
      <div className={className}>
        <ErrorText id={`${id}-erreur`} errors={own} />
        <div className="checkbox">
          <input type="checkbox" id={id} name={field.name} value="oui" defaultChecked={value === true} aria-invalid={invalid || undefined} aria-describedby={describedBy(helpId, errorId)} />
          <label htmlFor={id}>{field.label}</label>
        </div>
        {field.help ? <p className="hint" id={helpId}>{field.help}</p> : null}
      </div>
    );
  }

  if (field.widget === 'address') {
    const address = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const groupErrors = errors.filter((e) => e.path === field.name);
    return (
      <fieldset className={className} aria-describedby={describedBy(helpId, groupErrors.length > 0 && `${id}-erreur`)}>
        <legend className="field-legend">{label(field, optional)}</legend>
        {field.help ? <p className="hint" id={helpId}>{field.help}</p> : null}
        <ErrorText id={`${id}-erreur`} errors={groupErrors} />
        {ADDRESS_PARTS.map((part) => {
          const partId = fieldId(field.name, part.key);
          const partErrors = errors.filter((e) => e.path === `${field.name}/${part.key}`);
          return (
            <div className="field field-part" key={part.key}>
              <label htmlFor={partId}>{part.label}</label>
              <ErrorText id={`${partId}-erreur`} errors={partErrors} />
              <input
                type="text"
                id={partId}
                name={`${field.name}/${part.key}`}
                defaultValue={typeof address[part.key] === 'string' ? (address[part.key] as string) : ''}
                autoComplete={part.autocomplete}
                inputMode={part.key === 'codePostal' ? 'numeric' : undefined}
                aria-invalid={partErrors.length > 0 || undefined}
                aria-describedby={partErrors.length ? `${partId}-erreur` : undefined}
              />
            </div>
          );
        })}
      </fieldset>
    );
  }

  const common = {
    id,
    name: field.name,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy(helpId, errorId),
    autoComplete: field.autocomplete,
  };
  return (
    <div className={className}>
      <label htmlFor={id}>{label(field, optional)}</label>
      {field.help ? <p className="hint" id={helpId}>{field.help}</p> : null}
      <ErrorText id={`${id}-erreur`} errors={own} />
      {field.widget === 'textarea' ? (
        <textarea {...common} rows={5} defaultValue={text} placeholder={field.placeholder} />
      ) : field.widget === 'select' ? (
        <select {...common} defaultValue={value === undefined ? '' : String(value)}>
          <option value="">Choisissez dans la liste</option>
          {field.options?.map((option) => (
            <option key={String(option.value)} value={String(option.value)}>
              {option.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={INPUT_TYPES[field.widget] ?? 'text'}
          inputMode={field.widget === 'number' ? 'decimal' : field.widget === 'postcode' ? 'numeric' : undefined}
          defaultValue={text}
          placeholder={field.placeholder}
        />
      )}
    </div>
  );
}
