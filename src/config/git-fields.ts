import { redactUrl } from '../git/redact.js';

const HELPER = /^([A-Za-z][A-Za-z0-9+.-]*)::/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCHEMES = new Set(['https', 'http', 'ssh', 'git', 'file', 'git+ssh', 'ssh+git']);
const ALLOWED = 'an https://, ssh://, git:// or file:// URL, user@host:path, or a local path';

/**
 * Why a plugin `repo` must not reach git, or undefined when it may: anything git could read as
 * an option, a remote-helper transport (`ext::` runs commands, `fd::` reads descriptors), an
 * unknown URL scheme, or whitespace. Messages show the URL with its credentials masked.
 */
export function repoProblem(repo: string): string | undefined {
  const shown = `"${redactUrl(repo)}"`;
  if (repo.startsWith('-')) return `${shown} starts with "-", so git would read it as an option; give ${ALLOWED}.`;
  const helper = HELPER.exec(repo)?.[1];
  if (helper !== undefined) {
    const why = helper === 'ext' ? ', which runs arbitrary commands' : helper === 'fd' ? ', which reads from file descriptors' : '';
    return `${shown} uses git's "${helper}::" transport${why}; porter refuses remote helpers, so give ${ALLOWED}.`;
  }
  if (/[\s\u0000-\u001f\u007f]/.test(repo)) return `${shown} contains whitespace or a control character; give ${ALLOWED}.`;
  const scheme = SCHEME.exec(repo)?.[1]?.toLowerCase();
  if (scheme !== undefined && !SCHEMES.has(scheme)) return `${shown} uses the "${scheme}://" scheme, which porter does not clone from; give ${ALLOWED}.`;
  return undefined;
}
