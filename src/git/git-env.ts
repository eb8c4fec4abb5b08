/** Variables passed from porter's environment to git: finding binaries, reaching the network, the SSH agent. */
const PASSED = [
  'PATH', 'SSH_AUTH_SOCK', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
] as const;

/** The transports git may use, enforced by git itself (`GIT_ALLOW_PROTOCOL`): no `ext`, no `fd`, no helpers. */
const GIT_ALLOWED_PROTOCOLS = 'file:git:http:https:ssh';

/**
 * The whole environment of every git porter runs. Nothing else leaks in: no HOME or XDG_CONFIG_HOME (so
 * no ~/.gitconfig, no global hooksPath, credential helper, url rewrite or fsmonitor), no system config,
 * no prompts (GIT_TERMINAL_PROMPT=0, ssh in BatchMode), English messages for the user, and only the
 * transports of GIT_ALLOWED_PROTOCOLS.
 */
export function gitEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of PASSED) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  out.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return {
    ...out,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: GIT_ALLOWED_PROTOCOLS,
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  };
}

/** The GIT_* names simple-git must be told to let through (its environment guard rejects any other). */
export const GIT_ENV_ALLOWED = [
  'GIT_TERMINAL_PROMPT', 'GIT_CONFIG_NOSYSTEM', 'GIT_ALLOW_PROTOCOL', 'GIT_SSH_COMMAND', 'GIT_INDEX_FILE', 'GIT_WORK_TREE',
  'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH',
] as const;
