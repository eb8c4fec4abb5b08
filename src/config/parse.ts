import { LineCounter, parseDocument } from 'yaml';
import type { YAMLError } from 'yaml';
import { ConfigError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import type { Lookup } from './expand.js';
import { configSchema } from './schema.js';
import type { Place } from './tree.js';
import type { IgnoredKey, PorterConfig } from './types.js';
import { sortProblems, validateConfig } from './validate.js';
import { buildTree } from './yaml-tree.js';

/** How many times one anchor may be used (the yaml library's guard against "billion laughs" documents). */
export const MAX_ALIAS_COUNT = 1000;

/**
 * Parses, expands and validates the text of a config; `file` names it in messages and `repoDir`
 * anchors its paths. Resolves to the config or rejects with a ConfigError, never anything else
 * for any input. `strict`: the original porter's AWS-only keys are errors instead of ignored keys.
 */
export async function parseConfigText(text: string, file: string, repoDir: string, lookup: Lookup, opts: { strict?: boolean } = {}): Promise<PorterConfig> {
  const problem = (line: number, message: string): ConfigProblem => ({ file, line, path: '', message });
  const empty = 'is empty; write at least "service_name: NAME" in it (see docs/config.md).';
  if (text.trim() === '') throw new ConfigError([problem(0, empty)]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(syntaxProblems(doc.errors, text, file));
  if (doc.contents === null) throw new ConfigError([problem(0, empty)]);
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias count/i.test(err.message)) {
      throw new ConfigError([problem(0, `uses YAML aliases that expand too far (more than ${MAX_ALIAS_COUNT} uses of an anchor, as in a "billion laughs" document); write the repeated parts out, or use fewer aliases.`)], { cause: err });
    }
    // Any other failure (a bad merge, a dangling alias) is reported with its line by buildTree below.
  }
  const earlier: ConfigProblem[] = doc.warnings.map((w) => problem(lineOf(w), yamlMessage(w)));
  const report = (at: Place, message: string): void => {
    earlier.push({ file, line: at.line, path: at.path, message });
  };
  const ignored: IgnoredKey[] = [];
  const tree = buildTree(doc, lineCounter, lookup, report, configSchema(), (found) => ignored.push(found));
  if (tree === undefined) throw new ConfigError(sortProblems(earlier.length ? earlier : [problem(0, empty)]));
  return validateConfig(tree, { file, repoDir, earlier, ignored, ...(opts.strict ? { strict: true } : {}) });
}

/** Beyond this many, YAML syntax errors are mostly echoes of the first ones. */
const MAX_SYNTAX_PROBLEMS = 5;

/** The first few syntax errors, each with its line, and how many more followed. */
function syntaxProblems(errors: readonly YAMLError[], text: string, file: string): ConfigProblem[] {
  const lines = text.split('\n');
  const firstPerLine = errors.filter((e, i) => errors.findIndex((o) => lineOf(o) === lineOf(e)) === i);
  const problems = firstPerLine.slice(0, MAX_SYNTAX_PROBLEMS).map((e) => {
    const line = lineOf(e);
    const quote = /\$\{|[[{]/.test(lines[line - 1] ?? '') && /flow/i.test(e.message.split('\n')[0] ?? '')
      ? ' Inside [ ] or { }, quote values that contain { } [ ] or commas, such as "${VAR:-x}".' : '';
    return { file, line, path: '', message: `${yamlMessage(e)}${quote}` };
  });
  const rest = firstPerLine.length - MAX_SYNTAX_PROBLEMS;
  const next = firstPerLine[MAX_SYNTAX_PROBLEMS];
  if (rest > 0 && next) problems.push({ file, line: lineOf(next), path: '', message: `YAML errors on ${rest} more line${rest === 1 ? '' : 's'} from here on, probably caused by the ones above; fix those first.` });
  return sortProblems(problems);
}

function lineOf(e: YAMLError): number {
  return e.linePos?.[0].line ?? 0;
}

/** The yaml library's message without its "at line N, column M" excerpt (the problem names the line), with advice for common codes. */
function yamlMessage(e: YAMLError): string {
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return 'repeats a key of this map; YAML keys must be unique within a map, so remove or merge one of the two.';
    case 'MULTIPLE_DOCS':
      return 'holds more than one YAML document (a second "---"); porter reads one, so remove the separator or the second document.';
    case 'TAB_AS_INDENT':
      return 'is indented with a tab; YAML indents with spaces only.';
    case 'TAG_RESOLVE_FAILED':
      return 'has a YAML tag porter does not know (like !foo or !!binary); remove the tag.';
    default: {
      if (/Maximum call stack/.test(e.message)) return 'nests lists or maps too deeply for YAML to read; a porter config needs only a few levels.';
      const first = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return `${first.replace(/\.$/, '')}; fix the YAML syntax here.`;
    }
  }
}
