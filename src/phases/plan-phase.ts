import type { EnvironmentConfig, Phase, PorterConfig } from '../config/types.js';
import type { PlannedList } from '../cli/render-plan.js';
import { packedImages } from './images.js';
import { regionScopes } from './regions.js';
import { networkName } from './stack-names.js';

export interface PhasePlanInputs {
  /** The version pack would build, or the packed one. */
  version?: string;
  environment?: EnvironmentConfig;
  stack?: string;
  keep?: number;
  /** Teardown: what the engines hold now that it would remove, one line each (read, never changed, by --dry-run). */
  removals?: string[];
}

/** What `--dry-run` shows for a phase: its pre_ list, the body as a note (per region), its post_ list. */
export function phasePlan(config: PorterConfig, phase: Phase, i: PhasePlanInputs): PlannedList[] {
  const scopes = i.environment ? regionScopes(i.environment) : [{}];
  return [
    { list: `pre_${phase}`, scopes },
    { list: phase, scopes, note: bodyNote(config, phase, i) },
    { list: `post_${phase}`, scopes },
  ];
}

function bodyNote(config: PorterConfig, phase: Phase, i: PhasePlanInputs): string {
  const version = i.version ?? '(not packed yet: run `porter build pack` first)';
  if (phase === 'pack') {
    const images = packedImages(config, i.version ?? 'VERSION');
    if (images.length === 0) return 'build no images (the config names no containers); write .porter-tmp/manifest.json and a copy of the config';
    const lines = images.map((s) => `  build ${s.tag} from ${s.dockerfile}${s.dockerfileBuild ? ` (context: the tar stdout of builder ${s.dockerfileBuild})` : ' (context: the repo root)'}`);
    return [`build ${images.length} image${images.length === 1 ? '' : 's'} and save the payload`, ...lines, '  save them to .porter-tmp/payload.tar with .porter-tmp/manifest.json and a copy of the config'].join('\n');
  }
  const env = i.environment;
  if (!env) return '(no environment)';
  const network = networkName(config.serviceName, env.name);
  const regions = env.regions.map((r) => {
    const where = `  region ${r.name} (${r.dockerHost ?? 'DOCKER_HOST or the local engine'}):`;
    if (phase === 'provision') {
      const containers = r.containers.map((c) => c.topology === 'inet'
        ? `${c.name}${c.replicas > 1 ? ` ×${c.replicas}` : ''} (inet ${c.inetPort ?? 'on the port its image EXPOSEs'}, published on a free host port; healthy when ${c.healthCheck.method} ${c.healthCheck.path} answers 2xx within ${c.healthCheck.timeoutMs / 1000}s)`
        : `${c.name} (worker; healthy by its HEALTHCHECK, or still running after a grace period)`);
      return `${where} a new stack of version ${version} on network ${network}: ${containers.join(', ') || 'no containers'}`;
    }
    if (phase === 'rollback') return `${where} give the alias ${config.serviceName} on ${network} back to ${i.stack ? `stack ${i.stack}` : 'the stack promoted before the current one (from the promotion history in the engine)'}, then take it from the current stack`;
    if (phase === 'teardown') return `${where} remove every stack of ${env.name} (the promoted one too), the network ${network}, the stacks' images no other environment uses, and the promotion history and run-once records`;
    if (phase === 'promote') return `${where} give the alias ${config.serviceName} on ${network} to stack ${i.stack ?? '(the one last provisioned from this workspace)'}, then take it from the previous stack`;
    return `${where} remove the stacks of ${env.name} that are not promoted, keeping the ${i.keep ?? 0} newest, and the images no remaining stack uses`;
  });
  const extra = phase === 'provision' ? provisionExtras(env) : [];
  const head = { provision: 'start a new stack in every region, concurrently; one that does not become healthy is removed', promote: 'move the stable alias, per region', prune: 'remove old stacks, per region',
    rollback: 'move the stable alias back, per region', teardown: 'take the environment down, per region' }[phase];
  const found = i.removals ? (i.removals.length ? ['  found on the engines now:', ...i.removals.map((r) => `    ${r}`)] : ['  found on the engines now: nothing (teardown would pass, changing nothing)']) : [];
  return [head, ...regions, ...extra, ...found].join('\n');
}

/** What a provision does besides starting a stack: src_env_file programs first, and a hot swap instead when one is promoted. */
function provisionExtras(env: EnvironmentConfig): string[] {
  const programs = [...new Set(env.regions.flatMap((r) => r.containers.flatMap((c) => (c.srcEnvFile ? [[c.srcEnvFile.execName, ...c.srcEnvFile.execArgs].join(' ')] : []))))];
  return [
    ...programs.map((p) => `  before anything: run \`${p}\` in the repo root (src_env_file; its output is the containers' secret environment)`),
    ...(env.hotSwap ? ['  hot_swap: when a stack is promoted in every region, pre_hotswap → its containers replaced in place, one at a time → post_hotswap, instead of pre_provision/post_provision'] : []),
  ];
}
