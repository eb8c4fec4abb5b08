import { rm } from 'node:fs/promises';
import type { RunContext } from '../context.js';
import { Label } from '../docker/labels.js';

/**
 * `porter build clean`: removes `.porter-tmp/`, and this service's containers and hook images — only
 * what carries its `porter.service` label, never anything else on the engine.
 */
export async function cleanService(ctx: RunContext): Promise<{ containers: number; images: number }> {
  const service = { [Label.service]: ctx.config.serviceName };
  const containers = await ctx.engine.removeContainers(service);
  const images = await ctx.engine.removeImages({ ...service, [Label.hook]: '' });
  await rm(ctx.tmpDir, { recursive: true, force: true });
  ctx.emit({ type: 'message', level: 'info', text: `Removed ${containers} container(s), ${images} hook image(s) and ${ctx.tmpDir}.` });
  return { containers, images };
}
