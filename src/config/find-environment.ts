import { UsageError } from '../errors.js';
import { suggest } from './suggest.js';
import type { EnvironmentConfig, PorterConfig } from './types.js';

/** The environment named by `-e NAME`; a UsageError (exit 2) naming the known ones when there is none. */
export function findEnvironment(config: PorterConfig, name: string): EnvironmentConfig {
  const found = config.environments.find((e) => e.name === name);
  if (found) return found;
  const names = config.environments.map((e) => e.name);
  if (names.length === 0) {
    throw new UsageError(`Unknown environment "${name}" (-e ${name}): ${config.file} defines no environments; add one under environments: (name: ${name}, regions: [...]) or run without -e.`);
  }
  const close = names.find((n) => n.toLowerCase() === name.toLowerCase()) ?? suggest(name, names);
  const hint = close === undefined ? '' : ` Did you mean -e ${close}?`;
  throw new UsageError(`Unknown environment "${name}" (-e ${name}): ${config.file} defines ${names.join(', ')}.${hint} Pass one of them with -e NAME, or add "${name}" under environments:.`);
}
