import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The Temporal server's dynamic configuration on every topology (the cluster's server, Compose, the dev server). */
export const TEMPORAL_DYNAMIC_CONFIG_FILE = fileURLToPath(new URL('../deploy/temporal/dynamicconfig.yaml', import.meta.url));

type DynamicConfigFile = Record<string, Array<{ value: unknown; constraints?: Record<string, unknown> }>> | null;

/**
 * Each setting of the file with its one value, as `temporal server start-dev --dynamic-config-value` takes them
 * (`key=JSON value`). A setting with constraints (per namespace, per task queue) cannot be said that way: refused.
 */
export function devServerDynamicConfigArgs(file = TEMPORAL_DYNAMIC_CONFIG_FILE): string[] {
  const settings = (parse(fs.readFileSync(file, 'utf8')) as DynamicConfigFile) ?? {};
  return Object.entries(settings).flatMap(([key, entries]) => {
    if (!Array.isArray(entries) || entries.length !== 1 || entries[0].constraints) {
      throw new Error(`${file}: ${key} must have exactly one value and no constraints, the only form the development server takes`);
    }
    return ['--dynamic-config-value', `${key}=${JSON.stringify(entries[0].value)}`];
  });
}
