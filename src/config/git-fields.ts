import { refProblems, repoProblems } from '../git/ref.js';

/**
 * Why a plugin's `repo` or `ref` must not reach git, as one config message, or undefined when it may.
 * These are the very checks the fetcher makes before git runs (`validatePluginSource` in src/git/ref.ts),
 * so a config that loads is never refused at fetch time and the other way round. The URL is shown once,
 * with its credentials hidden.
 */
export function pluginFieldProblem(field: 'repo' | 'ref', value: string): string | undefined {
  const [first, ...rest] = field === 'repo' ? repoProblems(value) : refProblems(value);
  if (first === undefined) return undefined;
  // Each problem names the value (`repo "x" ...`); after the first, say it once: `...; also, it ...`.
  const head = /^(?:repo|ref) "(?:[^"\\]|\\.)*" /.exec(first)?.[0];
  const more = rest.map((p) => (head !== undefined && p.startsWith(head) ? `also, it ${p.slice(head.length)}` : p));
  return `${[first, ...more].join('; ')}.`;
}
