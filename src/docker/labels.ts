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
