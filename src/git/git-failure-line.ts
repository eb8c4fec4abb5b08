import { redactUrl } from './redact.js';

/**
 * The secrets a repo URL carries, as written and percent-decoded: the password of `user:password@`, or a
 * lone token-sized `token@`. A plain user name (`ssh://git@host`) is not secret, and scrubbing "git" from
 * git's messages would ruin them.
 */
function secretsOf(repo: string): string[] {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(repo)?.[1];
  if (!userinfo) return [];
  const colon = userinfo.indexOf(':');
  const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo.length >= 16 ? userinfo : '';
  if (secret.length < 4) return [];
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // not percent-encoded: the raw form is the only one
  }
  return [...new Set([userinfo, secret, decoded])].sort((a, b) => b.length - a.length);
}

/** Hides credentials in every URL of `text`, and any fragment of `repo`'s credentials found elsewhere in it. */
export function redactGitText(text: string, repo: string): string {
  let out = redactUrl(text);
  for (const secret of secretsOf(repo)) out = out.split(secret).join('***');
  return out;
}

/**
 * git's first stderr line of a failure (warnings and hints skipped), redacted, without its `fatal: ` prefix:
 * the fetcher has simple-git put stderr alone in GitError.message.
 */
export function gitFailureLine(err: unknown, repo: string): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const at = Math.max(0, lines.findIndex((l) => !/^(warning|hint):/i.test(l)));
  let line = lines[at] ?? 'git failed without a message';
  // git wraps some reasons: `unable to connect to 127.0.0.1:` / `127.0.0.1[0: 127.0.0.1]: errno=Connection refused`.
  const next = lines[at + 1];
  if (line.endsWith(':') && next && !/^(fatal|error|warning|hint):/i.test(next)) line = `${line} ${next}`;
  return redactGitText(line.replace(/^(fatal|error):\s*/i, ''), repo).replace(/[.\s]+$/, '');
}
