import type { HookConfig } from '../../src/config/types.js';

/** A normalised hook with defaults, for tests that do not go through the config loader. */
export function makeHook(list: string, index: number, fields: Partial<HookConfig> & { name?: string } = {}): HookConfig {
  const { name, ...rest } = fields;
  return {
    list,
    index,
    id: name ?? `${list}[${index}]`,
    dockerfile: 'Dockerfile',
    environment: [],
    runCondition: 'pass',
    runPolicy: 'always',
    concurrent: false,
    retries: 0,
    retryOn: [],
    buildArgs: {},
    secrets: [],
    repoRoot: 'rw',
    line: index + 1,
    ...rest,
  };
}
