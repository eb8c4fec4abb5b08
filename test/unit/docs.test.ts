/** The documentation a newcomer reads: the config reference agrees with the schema, and every relative link lands. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { configKeys, REFERENCE_PAGE, renderConfigReference } from '../../scripts/config-reference.js';
import type { Schema } from '../../src/config/schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaFile = join(root, 'schema', 'porter-config.schema.json');
/** README and every page of docs/, read now: others add pages and keys while this test stands. */
const pages = (): string[] => ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string): string => readFileSync(join(root, page), 'utf8');
const schema = (): Schema => JSON.parse(readFileSync(schemaFile, 'utf8')) as Schema;

/** The text outside code: fenced blocks and inline code spans blanked (a link shown as code is not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every link target of a page: `[text](target)` and `![alt](target)`. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
}

/** The anchors GitHub gives a page's headings (github-slugger: lowercase, punctuation dropped, spaces to -, -1 -2 for repeats), and explicit ids. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (m[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1] ?? '');
  return out;
}

/** The keys the reference documents: the first column of its tables. */
function documentedKeys(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('docs: the config reference and the schema', () => {
  it('documents every key the schema allows, and no key the schema lacks', () => {
    const inSchema = configKeys(schema()).map((k) => k.path);
    const documented = documentedKeys(readFileSync(REFERENCE_PAGE, 'utf8'));
    assert.ok(inSchema.length > 30 && documented.length > 0);
    const fix = 'run `npm run docs:config` to regenerate docs/config-reference.md from schema/porter-config.schema.json';
    assert.deepEqual(inSchema.filter((k) => !documented.includes(k)), [], `keys of the schema missing from the reference: ${fix}`);
    assert.deepEqual(documented.filter((k) => !inSchema.includes(k)), [], `keys in the reference that the schema does not have: ${fix}`);
    assert.equal(new Set(documented).size, documented.length, 'a key documented twice');
  });

  it('is the page `npm run docs:config` writes from the schema as it stands', () => {
    assert.equal(readFileSync(REFERENCE_PAGE, 'utf8'), renderConfigReference(schema()), 'docs/config-reference.md is stale: run `npm run docs:config`');
  });

  it('shows a key under its full path, so the page can be searched for what the file says', () => {
    const keys = configKeys(schema()).map((k) => k.path);
    for (const k of ['service_name', 'hooks.<name>[].run_condition', 'environments[].regions[].containers[].health_check.path']) assert.ok(keys.includes(k), k);
  });
});

describe('docs: links', () => {
  it('every relative link in README.md and docs/ names a file that exists, and its #anchor a heading there', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      for (const target of links(read(page))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURIComponent(path));
        if (!existsSync(file)) {
          broken.push(`${page}: ${target} (no ${relative(root, file)})`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
          broken.push(`${page}: ${target} (no heading #${anchor} in ${relative(root, file)})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('a newcomer finds every page of docs/ by following links from README.md', () => {
    const reached = new Set<string>(['README.md']);
    const queue = ['README.md'];
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      for (const target of links(read(page))) {
        const path = target.split('#')[0] ?? '';
        if (!path.endsWith('.md') || /^[a-z][a-z0-9+.-]*:/i.test(path)) continue;
        const next = relative(root, resolve(dirname(join(root, page)), path));
        if (!reached.has(next) && existsSync(join(root, next))) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    assert.deepEqual(pages().filter((p) => !reached.has(p)), [], 'pages no link from README leads to');
  });

  it('README stays a front page: at most about 250 lines', () => {
    const lines = read('README.md').split('\n').length;
    assert.ok(lines <= 260, `README.md has ${lines} lines: move reference material to a page in docs/ and link it`);
  });

  it('knows GitHub\'s anchors: the check itself', () => {
    const a = anchors('# `porter init`: a first config\n## Run it\n## Run it\n```\n# not a heading\n```\n### [Linked](x.md) *title*, too!\n');
    assert.deepEqual([...a], ['porter-init-a-first-config', 'run-it', 'run-it-1', 'linked-title-too']);
    assert.deepEqual(links('[a](b.md#c) `[d](e.md)` ![i](img.png "t")\n```\n[x](y.md)\n```\n'), ['b.md#c', 'img.png']);
  });
});
