/** Small busybox services in temp repos for the phase tests, and a RunContext on the real engine. */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { openSession } from '../../src/commands/session.js';
import type { RunContext } from '../../src/context.js';
import type { HookResult, PorterEvent } from '../../src/events.js';
import { tempDir, writeTree, type FixtureTree } from './temp-dirs.js';

/**
 * An httpd on 8080 serving /health and an index page that names the stack it runs in; it writes only to /tmp,
 * since a deployed container's root filesystem is read-only.
 */
export const HTTPD_DOCKERFILE = [
  'FROM busybox:latest',
  'CMD ["sh", "-c", "mkdir -p /tmp/www && echo ok > /tmp/www/health && echo \\"stack $PORTER_STACK_ID\\" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]',
  '',
].join('\n');

/** A post_ hook that prints the standard variables a stack phase gives it and fetches its stack URL. */
export const STACK_ENV_HOOK = [
  'FROM busybox:latest',
  'CMD ["sh", "-c", "echo ENV=$PORTER_ENVIRONMENT REGION=$PORTER_REGION STACK=$PORTER_STACK_ID URL=$PORTER_STACK_URL; timeout 5 wget -q -O- $PORTER_STACK_URL/"]',
  '',
].join('\n');

/** A temp service repo (a `porter-test-` dir) holding `files`; with `git`, committed so it has a version. */
export async function serviceRepo(files: FixtureTree, opts: { git?: boolean } = {}): Promise<string> {
  const dir = await tempDir('porter-test-');
  await writeTree(dir, files);
  if (opts.git) commitAll(dir, 'first');
  return dir;
}

/** `git add -A && git commit`: a new service version. */
export function commitAll(dir: string, message: string): void {
  const git = (...args: string[]): void => void execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=porter-test', '-c', 'user.email=test@porter.invalid', 'commit', '-q', '-m', message);
}

export interface PhaseSession {
  ctx: RunContext & { close(): Promise<void> };
  events: PorterEvent[];
  /** hook-end results of this session so far. */
  results(): HookResult[];
  /** Live lines of one list/hook (phase bodies: list = phase). */
  lines(list: string, hook: string): string[];
}

/** `run` in a phase session of `repo` (closed afterwards): its value, and the session for its events. */
export async function inPhaseSession<T>(repo: string, run: (s: PhaseSession) => Promise<T>, env: Record<string, string | undefined> = {}): Promise<{ value: T; s: PhaseSession }> {
  const s = await phaseSession(repo, env);
  try {
    return { value: await run(s), s };
  } finally {
    await s.ctx.close();
  }
}

/** A RunContext on the real engine for the repo, recording every event. */
export async function phaseSession(repo: string, env: Record<string, string | undefined> = {}, signal = new AbortController().signal): Promise<PhaseSession> {
  const events: PorterEvent[] = [];
  const ctx = await openSession({
    cwd: repo, env: { ...process.env, ...env }, emit: (e) => events.push(e), signal,
    owner: { pid: process.pid, host: hostname(), isAlive: () => true },
  });
  return {
    ctx, events,
    results: () => events.flatMap((e) => (e.type === 'hook-end' ? [e.result] : [])),
    lines: (list, hook) => events.flatMap((e) => (e.type === 'hook-log' && e.list === list && e.hook === hook ? [e.line] : [])),
  };
}

/** A `.porter/config` for `service`: the YAML lines of its hook lists and environments (indented two spaces). */
export function serviceConfig(service: string, hooks: string, environments: string): string {
  return `service_name: ${service}\n${hooks ? `hooks:\n${hooks}` : 'hooks: {}\n'}environments:\n${environments}`;
}

/** The `environments:` YAML of a config with one environment, Stage, of one region, local, holding `containers` (list items), then its `events` entries. */
export function stageRegion(containers: string[], events: string[] = []): string {
  const indent = (lines: string[], by: string): string[] => lines.map((l) => `${by}${l}`);
  return [
    '- name: Stage', '  regions:', '  - name: local', '    containers:', ...indent(containers, '    '),
    ...(events.length ? ['events:', ...events] : []), '',
  ].join('\n');
}
