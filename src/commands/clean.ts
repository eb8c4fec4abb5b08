import { rm } from 'node:fs/promises';
import type { RunContext } from '../context.js';
import { Label } from '../docker/labels.js';
import { findHookContainers, ownerState, removeRuns } from '../hooks/abandoned-containers.js';
import { removePluginClones } from './clean-plugin-clones.js';

export interface CleanReport {
  containers: number;
  /** Hook containers left alone because the porter run that owns them is still running on this host. */
  live: number;
  images: number;
  clones: string[];
}

/**
 * `porter build clean`: removes `.porter-tmp/`, this service's hook containers (those carrying its
 * `porter.service` and `porter.hook` labels, except a porter run's on this host that is still alive),
 * its hook images (the engine keeps one a container still uses) and the cached clones of the plugin
 * repos its config names, and the volumes holding copies of the repo that no live run uses. Stack containers and anything without those labels are never touched.
 */
export async function cleanService(ctx: RunContext): Promise<CleanReport> {
  const service = ctx.config.serviceName;
  const hookContainers = await findHookContainers(ctx.engine, service);
  const isLive = (labels: Record<string, string>): boolean => ownerState(labels, ctx.owner) === 'live';
  const { removed: containers } = await removeRuns(ctx.engine, service, hookContainers, (c) => !isLive(c.labels));
  const live = hookContainers.filter((c) => isLive(c.labels)).length;
  const images = await ctx.engine.removeImages({ [Label.service]: service, [Label.hook]: '' });
  // Copies of the repo (an engine that cannot see the checkout) a kept debug container held on to, or a killed run left.
  for (const volume of await ctx.engine.listVolumes({ [Label.service]: service, [Label.repoCopy]: '' })) {
    if (!isLive(volume.labels)) await ctx.engine.removeVolume(volume.name).catch(() => undefined);
  }
  await rm(ctx.tmpDir, { recursive: true, force: true });
  const clones = await removePluginClones(ctx.config, ctx.hostEnv, ctx.signal);
  const parts = [
    `Removed ${containers} hook container(s), ${images} hook image(s), ${ctx.tmpDir}`,
    clones.length ? ` and the cached clones of ${clones.join(', ')}` : '',
    '.',
    live ? ` Left ${live} container(s) of a porter run of ${service} that is still running.` : '',
  ];
  ctx.emit({ type: 'message', level: 'info', text: parts.join('') });
  return { containers, live, images, clones };
}
