import { RESERVED_HOOK_LISTS } from '../config/types.js';
import { findEnvironment } from '../config/validate.js';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { HookScope } from '../hooks/environment.js';
import { HookImages } from '../hooks/hook-image.js';
import { combinedStatus, runListInScopes } from '../hooks/run-scopes.js';
import type { PorterConfig } from '../config/types.js';
import type { ListStatus } from '../events.js';

/** `build hook -name X`: a reserved list is the phases' business, and an undefined list is a typo until proven otherwise. */
export function checkUserList(config: PorterConfig, name: string): void {
  if (RESERVED_HOOK_LISTS.includes(name)) {
    throw new UsageError(`-name ${name}: ${name} is a phase hook list; it runs with \`porter build ${name.replace(/^(pre|post)_/, '')}\`. \`porter build hook\` runs user-defined lists only.`);
  }
  if (!config.hooks[name]) {
    const defined = Object.keys(config.hooks).filter((l) => !RESERVED_HOOK_LISTS.includes(l));
    throw new UsageError(`-name ${name}: ${config.file} defines no hook list named ${name}. ${defined.length ? `User-defined lists: ${defined.join(', ')}.` : 'It defines no user-defined lists.'}`);
  }
}

/** The scopes a list runs in: each region of the environment, concurrently, or once with none. */
export function scopesFor(config: PorterConfig, envName: string | undefined): HookScope[] {
  if (!envName) return [{}];
  const environment = findEnvironment(config, envName);
  return environment.regions.map((r) => ({ environment: environment.name, region: r.name }));
}

/** Runs one user-defined hook list; resolves to the list's status across regions. */
export async function buildHook(ctx: RunContext, name: string, envName: string | undefined): Promise<ListStatus> {
  checkUserList(ctx.config, name);
  const hooks = ctx.config.hooks[name] ?? [];
  const outcomes = await runListInScopes(hooks, scopesFor(ctx.config, envName), () => 'passed', new HookImages(ctx), ctx);
  return combinedStatus(outcomes);
}
