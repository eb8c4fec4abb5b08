import { findEnvironment } from '../config/find-environment.js';
import type { RunContext } from '../context.js';
import type { RegionStatus } from '../events.js';
import { readHistory } from './history.js';
import { regionStacks } from './region-stacks.js';
import { connectRegions } from './regions.js';

/** How many promotions `build status` shows per region, newest first. */
const SHOWN_PROMOTIONS = 10;

/**
 * `porter build status -e ENV`: per region, each stack's id, version, age, health, URL and whether it is promoted,
 * and the last promotions (the history rollback reads), all from the engines' labels: no workspace state needed.
 */
export async function buildStatus(ctx: RunContext, envName: string): Promise<RegionStatus[]> {
  const env = findEnvironment(ctx.config, envName);
  const service = ctx.config.serviceName;
  const targets = await connectRegions(ctx, env);
  return Promise.all(targets.map(async (t): Promise<RegionStatus> => {
    const [stacks, history] = await Promise.all([regionStacks(t, service, env.name), readHistory(t.engine, service, env.name, t.region.name)]);
    return {
      region: t.region.name,
      orchestrator: t.region.orchestrator,
      stacks: stacks.map((s) => ({ ...s, ageMs: Math.max(0, ctx.now() - Date.parse(s.created)) })),
      promotions: history.slice(-SHOWN_PROMOTIONS).reverse(),
    };
  }));
}
