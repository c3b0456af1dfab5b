import { checkDefinitionFile } from './load';
import { errorLines } from './json-file';

/** Outcome of `relais form:validate <file>`: one line per problem, each naming the JSON path in the file. */
export interface FormValidateOutcome {
  ok: boolean;
  errors: string[];
}

/** Validates a definition file for the project CLI; never throws. */
export function formValidateCommand(file: string): FormValidateOutcome {
  const { definition, errors } = checkDefinitionFile(file);
  if (definition) return { ok: true, errors: [] };
  return { ok: false, errors: errorLines(file, errors) };
}
