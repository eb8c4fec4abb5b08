/** Label keys porter puts on everything it creates, so it can find and remove its own objects. */
export const Label = {
  service: 'porter.service',
  hook: 'porter.hook',
  run: 'porter.run',
  hash: 'porter.hash',
  environment: 'porter.environment',
  region: 'porter.region',
  version: 'porter.version',
  stack: 'porter.stack',
  container: 'porter.container',
  /** On a builder image (dockerfile_build): the container it builds the context of; removed after pack. */
  builder: 'porter.builder',
  /** The pid and hostname of the porter process that started a hook container. */
  pid: 'porter.pid',
  host: 'porter.host',
  /** On an environment lock: the holder's pid namespace, so only a process that can see its pid judges it dead. */
  pidNamespace: 'porter.pidns',
  /** On a `porter debug` container: `replay`, or `kept` (`--keep`: no pid, so only `build clean` removes it). */
  debug: 'porter.debug',
  /** On a record kept in the engine (a labelled volume): what it records, `promotion` or `run-once`. */
  record: 'porter.record',
  /** On a promotion record: when (ISO time), the stack it replaced, and whether a promote or a rollback made it. */
  at: 'porter.at',
  previous: 'porter.previous',
  by: 'porter.by',
  /** On a run-once record: the hook list and the hook's id. */
  list: 'porter.list',
  /** On an environment lock's container (its name) and image; with `porter.command` and `porter.since` of its holder. */
  lock: 'porter.lock',
  command: 'porter.command',
  since: 'porter.since',
  /** On the volume holding a command's copy of the repo (an engine that cannot see the checkout), and its idle containers. */
  repoCopy: 'porter.repo-copy',
} as const;
export type LabelKey = (typeof Label)[keyof typeof Label];

/**
 * Docker `label` filter values (`key=value`, ANDed by the engine), sorted so requests are stable.
 * An empty value means "carries the label, whatever its value" (`key` alone).
 */
export function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels)
    .map(([key, value]) => (value === '' ? key : `${key}=${value}`))
    .sort();
}

/** The `filters` query parameter of the engine's list endpoints for these labels. */
export function labelFilters(labels: Record<string, string>): { label: string[] } {
  return { label: labelFilter(labels) };
}
