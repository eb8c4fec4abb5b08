/** The promotion history of an environment's region, kept in the region's engine so any machine can read it. */
import type { DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';

/** One promotion: the stack that got the alias, when, the one it replaced, and whether a promote or a rollback did it. */
export interface Promotion {
  stack: string;
  at: string;
  previous?: string;
  by: 'promote' | 'rollback';
}

const recordLabels = (service: string, environment: string, region: string): Record<string, string> =>
  ({ [Label.record]: 'promotion', [Label.service]: service, [Label.environment]: environment, [Label.region]: region });

/** How many promotions a region's history keeps: the oldest beyond it are forgotten as new ones come. */
export const HISTORY_KEPT = 50;

const entryLabels = (service: string, environment: string, region: string, p: Promotion): Record<string, string> => ({
  ...recordLabels(service, environment, region), [Label.stack]: p.stack, [Label.at]: p.at, [Label.by]: p.by, [Label.previous]: p.previous ?? '',
});

/** Adds a promotion to the history of `region` of `environment` (a record in its engine), keeping the newest HISTORY_KEPT. */
export async function recordPromotion(engine: DockerEngine, service: string, environment: string, region: string, p: Promotion): Promise<void> {
  await engine.writeRecord(entryLabels(service, environment, region, p));
  const history = await readHistory(engine, service, environment, region);
  for (const old of history.slice(0, Math.max(0, history.length - HISTORY_KEPT))) await engine.removeRecords(entryLabels(service, environment, region, old));
}

/** The promotions of `region` of `environment`, oldest first. */
export async function readHistory(engine: DockerEngine, service: string, environment: string, region: string): Promise<Promotion[]> {
  const records = await engine.listRecords(recordLabels(service, environment, region));
  return records
    .map(({ labels }): Promotion => {
      const previous = labels[Label.previous];
      return { stack: labels[Label.stack] ?? '', at: labels[Label.at] ?? '', by: labels[Label.by] === 'rollback' ? 'rollback' : 'promote', ...(previous ? { previous } : {}) };
    })
    .filter((p) => p.stack !== '')
    .sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Where a rollback goes, as Helm's does: the stack of the newest promotion before the last one that is not the
 * current stack. After v1 → v2 → rollback (v1), a second rollback goes to v2. Undefined: nothing to roll back to.
 */
export function rollbackTarget(history: readonly Promotion[], current: string | undefined): string | undefined {
  const now = current ?? history.at(-1)?.stack;
  for (let i = history.length - 2; i >= 0; i -= 1) {
    const stack = history[i]?.stack;
    if (stack && stack !== now) return stack;
  }
  return undefined;
}

/** Forgets the promotion history of `environment` in this engine (teardown); returns how many records went. */
export function forgetHistory(engine: DockerEngine, service: string, environment: string): Promise<number> {
  return engine.removeRecords({ [Label.record]: 'promotion', [Label.service]: service, [Label.environment]: environment });
}
