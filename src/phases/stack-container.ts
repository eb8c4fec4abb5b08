import type { ContainerConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { Hardening } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { StackRequest } from './provision-region.js';

/** The labels porter finds a stack's container (or Swarm service) by. */
export function stackLabels(ctx: RunContext, req: StackRequest, config: ContainerConfig): Record<string, string> {
  return {
    [Label.service]: ctx.config.serviceName, [Label.environment]: req.env.name, [Label.region]: req.target.region.name,
    [Label.version]: req.manifest.version, [Label.stack]: req.stackId, [Label.container]: config.name,
  };
}

/** The standard variables of a stack's containers, then the `src_env_file` program's (secret) ones. */
export function stackEnv(ctx: RunContext, req: StackRequest, config: ContainerConfig): string[] {
  return [
    `PORTER_SERVICE_NAME=${ctx.config.serviceName}`, `PORTER_SERVICE_VERSION=${req.manifest.version}`, `PORTER_ENVIRONMENT=${req.env.name}`,
    `PORTER_REGION=${req.target.region.name}`, `PORTER_STACK_ID=${req.stackId}`,
    ...(req.srcEnv.get(config.name) ?? []),
  ];
}

/** A container's `uid`, `read_only`, `pids_limit` and `cap_add` (no-new-privileges and dropping the rest always hold). */
export function hardeningOf(config: ContainerConfig): Hardening {
  return { user: String(config.uid), readOnly: config.readOnly, pidsLimit: config.pidsLimit, capAdd: config.capAdd };
}
