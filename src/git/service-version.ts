import { execFile } from 'node:child_process';

/** `git rev-parse --short HEAD` of the service repo, or `unversioned` when it is not a git repo with a commit. */
export function serviceVersion(repoDir: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  return new Promise((resolve) => {
    const gitEnv = { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '/', GIT_TERMINAL_PROMPT: '0' };
    execFile('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD'], { env: gitEnv }, (err, stdout) => {
      resolve(err ? 'unversioned' : stdout.trim() || 'unversioned');
    });
  });
}
