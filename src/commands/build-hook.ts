import { RESERVED_HOOK_LISTS } from '../config/types.js';
import { findEnvironment } from '../config/validate.js';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { HookScope } from '../hooks/environment.js';
import { HookImages } from '../hooks/hook-image.js';
import { combinedStatus, runListInScopes } from '../hooks/run-scopes.js';
import type { PorterConfig } from '../config/types.js';
import type { ListStatus } from '../events.js';
import { readProvisionState, type ProvisionState } from '../phases/state.js';

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

/**
 * The scopes a list runs in: each region of the environment, concurrently, or once with none. With what provision
 * recorded for the environment, each region also gets its newest stack's id and URL (PORTER_STACK_ID/URL).
 */
export function scopesFor(config: PorterConfig, envName: string | undefined, provisioned?: ProvisionState): HookScope[] {
  if (!envName) return [{}];
  const environment = findEnvironment(config, envName);
  const record = provisioned?.environments[environment.name];
  return environment.regions.map((r) => {
    const stack = record?.regions.find((s) => s.region === r.name);
    return { environment: environment.name, region: r.name, ...(stack ? { stackId: stack.stackId, ...(stack.url ? { stackUrl: stack.url, hostNetwork: stack.url.startsWith('http://127.0.0.1:') } : {}) } : {}) };
  });
}

/** Runs one user-defined hook list; resolves to the list's status across regions. */
export async function buildHook(ctx: RunContext, name: string, envName: string | undefined): Promise<ListStatus> {
  checkUserList(ctx.config, name);
  const hooks = ctx.config.hooks[name] ?? [];
  const scopes = scopesFor(ctx.config, envName, envName ? await readProvisionState(ctx.tmpDir) : undefined);
  const images = new HookImages(ctx);
  try {
    return combinedStatus(await runListInScopes(hooks, scopes, () => 'passed', images, ctx));
  } finally {
    await images.close();
  }
}
