import 'server-only';
import { createFormIntake } from '../../../domain/intake/forms';
import { appContext } from '../../_server/context';

let intake: Promise<ReturnType<typeof createFormIntake>> | undefined;

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
