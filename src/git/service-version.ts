import { execFile } from 'node:child_process';
import { gitEnvironment } from './git-env.js';

/**
 * The environment of the one git porter runs on the user's own repo: git-env's scrubbed base (PATH,
 * English messages, no prompts, nothing else from porter's environment such as GIT_DIR), but with the
 * user's and the system's git config, which the plugin fetcher drops. They are what make a checkout
 * owned by another uid (a CI workspace, a mounted volume) readable at all: git refuses it with "dubious
 * ownership" unless `safe.directory` in that config lists it, and rev-parse reads nothing else from it.
 */
function versionEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out = gitEnvironment(env);
  delete out.GIT_CONFIG_NOSYSTEM;
  for (const key of ['HOME', 'XDG_CONFIG_HOME'] as const) {
    const value = env[key];
    if (value) out[key] = value;
  }
  return out;
}

/** `git rev-parse --short HEAD` of the service repo, or `unversioned` when it is not a git repo with a commit (or git refuses it). */
export function serviceVersion(repoDir: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  return new Promise((resolve) => {
    execFile('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD'], { env: versionEnvironment(env) }, (err, stdout) => {
      resolve(err ? 'unversioned' : stdout.trim() || 'unversioned');
    });
  });
}
