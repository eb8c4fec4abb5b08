/** `run_policy: once` marks: which hooks of pre_/post_provision already ran for an environment, kept in its engines. */
import type { RunContext } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import type { HookListOptions } from './hook-lists.js';
import { Label } from '../docker/labels.js';

const marks = (service: string, environment: string): Record<string, string> =>
  ({ [Label.record]: 'run-once', [Label.service]: service, [Label.environment]: environment });

/** `<list>/<hook id>`: how a mark names a hook. */
export const onceKey = (list: string, hookId: string): string => `${list}/${hookId}`;

/** The once hooks that already ran for `environment`, as `onceKey`s: marked in any of these engines. */
export async function readRunOnce(engines: readonly DockerEngine[], service: string, environment: string): Promise<Set<string>> {
  const found = await Promise.all(engines.map((e) => e.listRecords(marks(service, environment))));
  return new Set(found.flat().map((r) => onceKey(r.labels[Label.list] ?? '', r.labels[Label.hook] ?? '')));
}

/** Marks a once hook as run for `environment` in this engine. */
export function recordRunOnce(engine: DockerEngine, service: string, environment: string, list: string, hookId: string): Promise<void> {
  return engine.writeRecord({ ...marks(service, environment), [Label.list]: list, [Label.hook]: hookId });
}

/** Forgets every once mark of `environment` in this engine (teardown); returns how many went. */
export function forgetRunOnce(engine: DockerEngine, service: string, environment: string): Promise<number> {
  return engine.removeRecords(marks(service, environment));
}

/**
 * `run_policy: once` for one provision of `environment`: hooks already marked in any of its engines are skipped
 * (saying why); `record()`, called after a successful provision, marks in every engine the once hooks that passed.
 */
export async function runOncePolicy(ctx: RunContext, environment: string, engines: readonly DockerEngine[]): Promise<{ options: HookListOptions; record(): Promise<void> }> {
  const service = ctx.config.serviceName;
  const hasOnce = Object.values(ctx.config.hooks).some((hooks) => hooks.some((h) => h.runPolicy === 'once'));
  const ran = hasOnce ? await readRunOnce(engines, service, environment) : new Set<string>();
  const passed = new Set<string>();
  return {
    options: {
      skipReason: (hook) => (hook.runPolicy === 'once' && ran.has(onceKey(hook.list, hook.id))
        ? `run_policy: once, and it already ran on an earlier provision of ${environment} (\`porter build teardown -e ${environment}\` forgets that)`
        : undefined),
      onResult: (r) => void (r.status === 'passed' && passed.add(onceKey(r.list, r.hook))),
    },
    async record() {
      const marks = Object.values(ctx.config.hooks).flat().filter((h) => h.runPolicy === 'once' && passed.has(onceKey(h.list, h.id)));
      await Promise.all([...new Set(engines)].flatMap((e) => marks.map((h) => recordRunOnce(e, service, environment, h.list, h.id))));
    },
  };
}
