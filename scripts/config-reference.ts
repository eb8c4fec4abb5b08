/**
 * docs/config-reference.md, generated from schema/porter-config.schema.json: `npm run docs:config` writes it, and
 * test/unit/docs.test.ts fails when the page and the schema disagree (a key on one side only, or a stale page).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configSchema, resolveRef, type Schema } from '../src/config/schema.js';

/** One documented key: its path as a user writes it (`environments[].regions[].name`) and what the schema says of it. */
export interface ConfigKey {
  path: string;
  /** The key's schema, its `$ref` followed; the property's own description wins over the definition's. */
  schema: Schema;
  required: boolean;
  /** The path of the object it belongs to ('' for the top level). */
  parent: string;
}

/** A definition, with the referring schema's own words kept. */
function resolved(root: Schema, s: Schema): Schema {
  if (!s.$ref) return s;
  const { $ref, ...own } = s;
  return { ...resolved(root, resolveRef(root, $ref)), ...own };
}

/** `^x-` → `x-*`: a pattern key as a reader writes it. */
const patternKey = (pattern: string): string => pattern.replace(/^\^/, '').replace(/\$$/, '') + (pattern.endsWith('$') ? '' : '*');

const join = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

/** An object or list below which more keys live (a hook list, an environment, a container…), not a map of free values. */
function holdsKeys(root: Schema, s: Schema): boolean {
  const r = resolved(root, s);
  return r.properties !== undefined || (r.items !== undefined && holdsKeys(root, r.items)) || [...(r.oneOf ?? []), ...(r.anyOf ?? [])].some((b) => holdsKeys(root, b));
}

/**
 * Every key a config can hold, in the schema's order: properties, pattern keys (`x-*`), `<name>` for a map whose
 * entries hold keys of their own (`hooks.<name>`), `[]` for the items of a list.
 */
export function configKeys(root: Schema): ConfigKey[] {
  const out: ConfigKey[] = [];
  const walk = (raw: Schema, path: string, object: string): void => {
    const s = resolved(root, raw);
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      const key = join(path, name);
      out.push({ path: key, schema: resolved(root, sub), required: (s.required ?? []).includes(name), parent: object });
      walk(sub, key, object);
    }
    for (const [pattern, sub] of Object.entries(s.patternProperties ?? {})) {
      out.push({ path: join(path, patternKey(pattern)), schema: resolved(root, sub), required: false, parent: object });
    }
    if (typeof s.additionalProperties === 'object' && holdsKeys(root, s.additionalProperties)) {
      const key = join(path, '<name>');
      out.push({ path: key, schema: resolved(root, s.additionalProperties), required: false, parent: object });
      walk(s.additionalProperties, key, object);
    }
    if (s.items && holdsKeys(root, s.items)) walk(s.items, `${path}[]`, `${path}[]`);
    for (const branch of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(branch, path, object);
  };
  // A property's own keys stay in the table of the object it is written in: `health_check.method` in a container's.
  walk(root, '', '');
  return out;
}

const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
const code = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** What a value may be, in a few words: the schema's hint, its choices, or its type and bounds. */
function kind(root: Schema, raw: Schema): string {
  const s = resolved(root, raw);
  if (s.enum) return s.enum.map(code).join(' · ');
  const alternatives = [...(s.oneOf ?? []), ...(s.anyOf ?? [])].map((b) => kind(root, b)).filter(Boolean);
  if (alternatives.length > 0) return alternatives.join(', or ');
  const all = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const types = all.filter((t) => t !== 'null');
  if (all.length > 0 && types.length === 0) return '';
  if (s['x-hint']) return s['x-hint'];
  if (types.includes('array')) return s.items && holdsKeys(root, s.items) ? 'list (of the keys below)' : `list${s.items ? ` of ${kind(root, s.items)}` : ''}`;
  if (types.includes('object')) {
    if (holdsKeys(root, s)) return 'map (of the keys below)';
    return typeof s.additionalProperties === 'object' && holdsKeys(root, s.additionalProperties) ? 'map of `<name>:` entries (below)' : 'map';
  }
  const bounds = s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? ''}–${s.maximum ?? ''}` : '';
  return `${types.join(' or ') || 'any value'}${bounds}`;
}

function row(root: Schema, k: ConfigKey): string {
  const s = k.schema;
  const facts = [k.required ? '**required**' : '', s.default !== undefined ? `default ${code(s.default)}` : '', s.examples ? `e.g. ${s.examples.map(code).join(', ')}` : '']
    .filter(Boolean).join('; ');
  const meaning = s['x-ignored'] ? `**Ignored on Docker** (${s['x-ignored']}). ${s.description ?? ''}` : s.description ?? '';
  return `| \`${k.path}\` | ${cell(kind(root, s))} | ${cell(facts)} | ${cell(meaning)} |`;
}

/** The page: a table per object a config holds (top level, a hook, an environment, a region, a container), every key by its full path. */
export function renderConfigReference(root: Schema = configSchema()): string {
  const keys = configKeys(root);
  const groups = [...new Set(keys.map((k) => k.parent))];
  const out = [
    '# Config reference',
    '',
    '<!-- Generated from schema/porter-config.schema.json by `npm run docs:config`: edit the schema\'s descriptions, then run it. test/unit/docs.test.ts fails when this page and the schema disagree. -->',
    '',
    'Every key `.porter/config` can hold, by its path: `a.b` is key `b` inside `a`, `[]` an entry of a list,',
    '`<name>` a name you choose (a hook list). The same schema validates the file (`porter config validate`) and',
    'drives your editor: see [the config file](config.md) for how it is read, expanded and checked.',
  ];
  for (const group of groups) {
    out.push('', `## ${group ? `\`${group}\`` : 'Top level'}`, '', '| key | value | required, default | meaning |', '|---|---|---|---|');
    for (const k of keys.filter((x) => x.parent === group)) out.push(row(root, k));
  }
  out.push('', '[Back to the README](../README.md)', '');
  return out.join('\n');
}

/** Where the page lives. */
export const REFERENCE_PAGE = fileURLToPath(new URL('../docs/config-reference.md', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(REFERENCE_PAGE, renderConfigReference());
  process.stdout.write(`wrote ${REFERENCE_PAGE}\n`);
}
