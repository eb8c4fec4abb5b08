import { redactUrl } from './redact.js';

/** URL schemes porter lets git use; anything else could start a remote helper (`git-remote-<scheme>`). */
export const ALLOWED_SCHEMES = ['https', 'http', 'ssh', 'git', 'file', 'git+ssh', 'ssh+git'] as const;

const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;
// git's own test for `<transport>::<address>` (transport.c): scheme characters, then `::`.
const REMOTE_HELPER = /^[A-Za-z0-9][A-Za-z0-9+.-]*::/;
const URL_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)/;
const FULL_SHA = /^[0-9a-f]{40}$/;

/** True for a full 40-hex commit sha: the only form of commit a plugin `ref` may pin. */
export function isFullSha(ref: string): boolean {
  return FULL_SHA.test(ref);
}

/**
 * Everything wrong with a plugin's `repo` and `ref` that must stop git from ever seeing them
 * (option-like values, command-running transports, malformed refs); empty when both are safe.
 * Pure; messages name the field and show the repo with credentials hidden.
 */
export function validatePluginSource(repo: string, ref: string): string[] {
  return [...repoProblems(repo), ...refProblems(ref)];
}

/** What is wrong with a plugin `repo` alone (the first half of validatePluginSource): the config validator reports these at `repo`. */
export function repoProblems(repo: string): string[] {
  const shown = JSON.stringify(redactUrl(repo));
  if (repo === '') return ['repo is empty; give the plugin repository URL'];
  const problems: string[] = [];
  if (repo.startsWith('-')) problems.push(`repo ${shown} starts with "-", so git could read it as an option`);
  if (REMOTE_HELPER.test(repo)) {
    problems.push(`repo ${shown} uses git's "<transport>::" remote-helper syntax (ext:: and fd:: run commands); give an https://, ssh:// or git:// URL instead`);
  }
  if (CONTROL_OR_SPACE.test(repo)) problems.push(`repo ${shown} contains whitespace or control characters`);
  if (problems.length > 0) return problems;
  const url = URL_FORM.exec(repo);
  if (url) {
    const scheme = (url[1] ?? '').toLowerCase();
    if (!(ALLOWED_SCHEMES as readonly string[]).includes(scheme)) {
      return [`repo ${shown} uses the URL scheme "${scheme}:", which porter does not allow; use one of ${ALLOWED_SCHEMES.join(', ')}`];
    }
    const host = (url[2] ?? '').replace(/^.*@/, '');
    if (host.startsWith('-')) return [`repo ${shown} names a host starting with "-", which ssh could read as an option`];
    return [];
  }
  const colon = repo.indexOf(':');
  const slash = repo.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) {
    // scp-like `[user@]host:path`, as git reads it.
    const userHost = repo.slice(0, colon);
    if (userHost.split('@').some((part) => part.startsWith('-'))) {
      return [`repo ${shown} names a user or host starting with "-", which ssh could read as an option`];
    }
    return [];
  }
  if (!repo.startsWith('/')) {
    return [`repo ${shown} is a relative path; give a URL, or an absolute path or file:// URL for a local repository`];
  }
  return [];
}

/** What is wrong with a plugin `ref` alone (the second half of validatePluginSource): the config validator reports these at `ref`. */
export function refProblems(ref: string): string[] {
  const shown = JSON.stringify(ref);
  if (ref === '') return ['ref is empty; give a branch, a tag or a full commit sha'];
  if (ref.startsWith('-')) return [`ref ${shown} starts with "-", so git could read it as an option`];
  if (CONTROL_OR_SPACE.test(ref)) return [`ref ${shown} contains whitespace or control characters`];
  const problems: string[] = [];
  const bad = [...new Set(ref.match(/[~^:?*[\\]/g) ?? [])];
  if (bad.length > 0) problems.push(`ref ${shown} contains ${bad.map((c) => `"${c}"`).join(', ')}, which a git ref name cannot`);
  if (ref.includes('..')) problems.push(`ref ${shown} contains "..", which a git ref name cannot`);
  if (ref.includes('@{') || ref === '@') problems.push(`ref ${shown} is not a git ref name ("@" alone and "@{" are reserved)`);
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) {
    problems.push(`ref ${shown} has an empty path component (a leading, trailing or doubled "/")`);
  }
  const parts = ref.split('/');
  if (parts.some((p) => p.startsWith('.'))) problems.push(`ref ${shown} has a component starting with "."`);
  if (parts.some((p) => p.endsWith('.lock'))) problems.push(`ref ${shown} has a component ending with ".lock"`);
  if (ref.endsWith('.')) problems.push(`ref ${shown} ends with "."`);
  if (/^refs\/(heads|tags)\//.test(ref)) {
    problems.push(`ref ${shown} is a full ref name; write the branch or tag name alone (${JSON.stringify(ref.replace(/^refs\/(heads|tags)\//, ''))})`);
  }
  return problems;
}
