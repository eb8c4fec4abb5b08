import { readFileSync } from 'node:fs';
import type { ScalarValue } from './tree.js';

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** The subset of JSON Schema (draft 2020-12) that `schema/porter-config.schema.json` uses and `checkSchema` interprets. */
export interface Schema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, Schema>;
  title?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  type?: JsonType | JsonType[];
  enum?: ScalarValue[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  propertyNames?: Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  /** porter's annotation: a short phrase for messages, e.g. "a duration such as 90s". */
  'x-hint'?: string;
  /** porter's annotation: never echo the value in a message (it may hold a secret). */
  'x-redact'?: boolean;
  /** porter's annotation: a key of the original porter that does nothing on Docker, and why (its value is neither expanded nor checked). */
  'x-ignored'?: string;
  /** porter's annotation: the value is kept as written, never expanded (extension keys whose anchors are expanded where they are used). */
  'x-raw'?: boolean;
  /** JSON Schema's annotation: editors show the key as deprecated. */
  deprecated?: boolean;
}

const KEYWORDS = new Set<string>([
  '$schema', '$id', '$ref', '$defs', 'title', 'description', 'examples', 'default', 'type', 'enum',
  'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'items',
  'minItems', 'maxItems', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'oneOf', 'anyOf',
  'x-hint', 'x-redact', 'x-ignored', 'x-raw', 'deprecated',
]);
const SCHEMA_MAPS = ['$defs', 'properties', 'patternProperties'] as const;
const SCHEMA_VALUES = ['additionalProperties', 'propertyNames', 'items'] as const;

/** Where the schema file is, from `src/config/` and from `dist/config/` alike. */
export const SCHEMA_URL = new URL('../../schema/porter-config.schema.json', import.meta.url);

let cached: Schema | undefined;

/** The config schema, read once from `schema/porter-config.schema.json`; the file editors use is the one porter checks with. */
export function configSchema(): Schema {
  if (cached) return cached;
  const parsed: unknown = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));
  assertSupported(parsed, '#');
  cached = parsed;
  return cached;
}

/** Throws (a porter bug, not a user error) when a schema uses a keyword the interpreter would silently ignore. */
export function assertSupported(schema: unknown, where: string): asserts schema is Schema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`porter bug: schema at ${where} is not an object`);
  }
  const s = schema as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!KEYWORDS.has(key)) throw new Error(`porter bug: schema at ${where} uses "${key}", which the validator does not interpret`);
  }
  for (const k of SCHEMA_MAPS) {
    const m = s[k];
    if (m !== undefined) for (const [name, sub] of Object.entries(m as object)) assertSupported(sub, `${where}/${k}/${name}`);
  }
  for (const k of SCHEMA_VALUES) {
    const v = s[k];
    if (v !== undefined && typeof v !== 'boolean') assertSupported(v, `${where}/${k}`);
  }
  for (const k of ['oneOf', 'anyOf'] as const) {
    const list = s[k];
    if (list !== undefined) (list as unknown[]).forEach((sub, i) => assertSupported(sub, `${where}/${k}/${i}`));
  }
  const ref = s.$ref;
  if (ref !== undefined && (typeof ref !== 'string' || !ref.startsWith('#/$defs/'))) {
    throw new Error(`porter bug: schema at ${where} has $ref ${String(ref)}; only #/$defs/NAME is supported`);
  }
}

/** The schema a `#/$defs/NAME` reference names. */
export function resolveRef(root: Schema, ref: string): Schema {
  const target = root.$defs?.[ref.slice('#/$defs/'.length)];
  if (!target) throw new Error(`porter bug: schema $ref ${ref} names no definition`);
  return target;
}

/** The schema of a map's value under `key`: its property, else the first pattern property that matches, else additionalProperties; undefined when the key is not allowed or the schema says nothing. */
export function propertySchema(root: Schema, schema: Schema | undefined, key: string): Schema | undefined {
  const s = resolved(root, schema);
  if (!s) return undefined;
  if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key];
  for (const [pattern, sub] of Object.entries(s.patternProperties ?? {})) if (new RegExp(pattern, 'u').test(key)) return sub;
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** The schema of a list's items, looking through a oneOf/anyOf for the branch that is a list. */
export function itemSchema(root: Schema, schema: Schema | undefined): Schema | undefined {
  return resolved(root, schema)?.items;
}

const resolvedCache = new WeakMap<Schema, Schema | null>();

/** A schema with its $ref merged in and, for a oneOf/anyOf, the branch with properties or items (the only ones whose children matter); memoised, as the loader asks for every key. */
function resolved(root: Schema, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  const known = resolvedCache.get(schema);
  if (known !== undefined) return known ?? undefined;
  const s = schema.$ref ? { ...resolveRef(root, schema.$ref), ...schema } : schema;
  const branches = s.oneOf ?? s.anyOf;
  const all = branches?.map((b) => resolved(root, b)).filter((b): b is Schema => b !== undefined);
  const found = all ? all.find((b) => b.properties || b.patternProperties || typeof b.additionalProperties === 'object' || b.items) : s;
  resolvedCache.set(schema, found ?? null);
  return found;
}
