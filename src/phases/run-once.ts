/** `run_policy: once` marks: which hooks of pre_/post_provision already ran for an environment, kept in its engines. */
import type { DockerEngine } from '../docker/engine.js';
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
