import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devServerDynamicConfigArgs, TEMPORAL_DYNAMIC_CONFIG_FILE } from './temporal-dynamic-config';

function configFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-dynamic-config-')), 'dynamicconfig.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('the Temporal dynamic configuration on the development server', () => {
  it('passes every setting of the shipped file as one --dynamic-config-value', () => {
    expect(devServerDynamicConfigArgs(TEMPORAL_DYNAMIC_CONFIG_FILE)).toEqual(['--dynamic-config-value', 'system.enableActivityEagerExecution=true']);
  });

  it('writes each value as JSON, and an empty file as no argument', () => {
    expect(devServerDynamicConfigArgs(configFile('limit.example:\n  - value: 40\nname.example:\n  - value: "a b"\n'))).toEqual([
      '--dynamic-config-value', 'limit.example=40', '--dynamic-config-value', 'name.example="a b"',
    ]);
    expect(devServerDynamicConfigArgs(configFile('# nothing set\n'))).toEqual([]);
  });

  it('refuses a setting it cannot pass on, naming it', () => {
    const constrained = configFile('matching.numTaskqueueReadPartitions:\n  - value: 1\n    constraints: { taskQueueName: relais }\n');
    expect(() => devServerDynamicConfigArgs(constrained)).toThrow(/: matching\.numTaskqueueReadPartitions must have exactly one value and no constraints/);
    expect(() => devServerDynamicConfigArgs(configFile('system.enableActivityEagerExecution: true\n'))).toThrow(/system\.enableActivityEagerExecution must have/);
  });
});
