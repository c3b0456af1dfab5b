import type { MikroORM } from '@mikro-orm/postgresql';
import { findTenantForm } from '@/domain/intake/forms';
import { InputError, NotFoundError } from '@/domain/validation';
import { validatorScript } from '@/forms/validator-script';

/** Generated scripts kept per process; a definition's script never changes, so only memory bounds the cache. */
const MAX_CACHED = 200;

/**
 * The browser validator script of a tenant's form at one stored version. Stored versions are immutable, so the
 * script is generated once per definition content (its sha256) and may be cached by browsers for good.
 */
export function createValidatorScripts(orm: MikroORM) {
  const cache = new Map<string, string>();
  return async function validatorScriptOf(tenantSlug: string, formSlug: string, version: number): Promise<string> {
    const { form } = await findTenantForm(orm, tenantSlug, formSlug, version).catch((error: unknown) => {
      if (error instanceof InputError) throw new NotFoundError(`Form ${formSlug} has no version ${version}`, { cause: error });
      throw error;
    });
    let script = cache.get(form.sha256);
    if (script === undefined) {
      script = validatorScript(form.definition);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(form.sha256, script);
    }
    return script;
  };
}
