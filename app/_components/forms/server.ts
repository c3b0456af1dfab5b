import 'server-only';
import { createValidatorScripts } from '@/domain/forms/validator-scripts';
import { createFormIntake } from '@/domain/intake/forms';
import { appContext } from '@/app/_server/context';

let intake: Promise<ReturnType<typeof createFormIntake>> | undefined;
let validatorScripts: Promise<ReturnType<typeof createValidatorScripts>> | undefined;

/** The form intake of the web process, built once on the shared ORM and intake. */
export function formIntake(): Promise<ReturnType<typeof createFormIntake>> {
  intake ??= appContext()
    .then(({ orm, intake: requests }) => createFormIntake({ orm, intake: requests }))
    .catch((error) => {
      intake = undefined;
      throw error;
    });
  return intake;
}

/** The browser validator scripts of the web process, with their cache, built once on the shared ORM. */
export function formValidatorScripts(): Promise<ReturnType<typeof createValidatorScripts>> {
  validatorScripts ??= appContext()
    .then(({ orm }) => createValidatorScripts(orm))
    .catch((error) => {
      validatorScripts = undefined;
      throw error;
    });
  return validatorScripts;
}
