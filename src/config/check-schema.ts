import { redactUrl } from '../git/redact.js';
import { resolveRef } from './schema.js';
import type { JsonType, Schema } from './schema.js';
import { didYouMean } from './suggest.js';
import { childPath, describeKind, keyPlace } from './tree.js';
import type { MapNode, Place, Report, ScalarNode, SeqNode, TreeNode } from './tree.js';

/**
 * Checks a config tree against the JSON Schema subset of `schema.ts`, reporting every problem
 * with its line and key path. An expanded string (`inet_port: $PORT`) is read as the number or
 * boolean the schema asks for, and the node is updated in place.
 */
export function checkSchema(node: TreeNode, schema: Schema, root: Schema, report: Report): void {
  const s = schema.$ref ? { ...resolveRef(root, schema.$ref), ...withoutRef(schema) } : schema;
  const branches = s.oneOf ?? s.anyOf;
  if (branches) checkBranches(node, branches, root, report);
  if (s.type !== undefined && !typeMatches(node, s.type)) {
    report(node, mismatch(node, s, root));
    return;
  }
  if (s.enum && !(node.kind === 'scalar' && s.enum.includes(node.value))) {
    const shown = node.kind !== 'scalar' ? describeKind(node) : node.value === null ? 'empty' : `"${clip(node.text)}"`;
    const options = s.enum.map(String);
    const typo = node.kind === 'scalar' ? didYouMean(node.text, options) : '';
    report(node, `must be one of ${options.join(', ')}, not ${shown}${typo}.`);
    return;
  }
  if (node.kind === 'scalar') checkScalar(node, s, report);
  else if (node.kind === 'map') checkMap(node, s, root, report);
  else checkSeq(node, s, root, report);
}

function checkBranches(node: TreeNode, branches: Schema[], root: Schema, report: Report): void {
  const fitting = branches.filter((b) => {
    const t = (b.$ref ? resolveRef(root, b.$ref) : b).type;
    return t === undefined || typeMatches(node, t, false);
  });
  if (fitting.length === 0) {
    const shown = branches.filter((b) => b.type !== 'null');
    report(node, `must be ${shown.map((b) => expected(b, root)).join(' or ')}, not ${describeKind(node)}.`);
    return;
  }
  let first: [Place, string][] | undefined;
  for (const b of fitting) {
    const found: [Place, string][] = [];
    checkSchema(node, b, root, (at, message) => found.push([at, message]));
    if (found.length === 0) return;
    first ??= found;
  }
  for (const [at, message] of first ?? []) report(at, message);
}

function checkScalar(node: ScalarNode, s: Schema, report: Report): void {
  const v = node.value;
  if (typeof v === 'string') {
    const hint = s['x-hint'];
    if (s.minLength !== undefined && v.length < s.minLength) report(node, s.minLength === 1 ? 'must not be empty.' : `must be at least ${s.minLength} characters long.`);
    else if (s.maxLength !== undefined && v.length > s.maxLength) report(node, `is ${v.length} characters long; the limit is ${s.maxLength}.`);
    else if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) {
      const shown = s['x-redact'] ? 'is invalid' : `"${clip(v)}" is invalid`;
      report(node, hint ? `${shown}: use ${hint}.` : `${shown}: it must match /${s.pattern}/.`);
    }
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) report(node, `is ${v}; the smallest allowed is ${s.minimum}.`);
    if (s.maximum !== undefined && v > s.maximum) report(node, `is ${v}; the largest allowed is ${s.maximum}.`);
  }
}

function checkMap(node: MapNode, s: Schema, root: Schema, report: Report): void {
  for (const key of s.required ?? []) {
    if (!node.entries.some((e) => e.key === key)) {
      const sub = s.properties?.[key];
      report({ line: node.line, path: childPath(node.path, key) }, `is missing; add ${key}: (${sub ? expected(sub, root) : 'a value'}).`);
    }
  }
  const known = Object.keys(s.properties ?? {});
  for (const e of node.entries) {
    if (s.propertyNames) {
      const keyNode: ScalarNode = { kind: 'scalar', value: e.key, text: e.key, ...keyPlace(e) };
      checkSchema(keyNode, s.propertyNames, root, (at, message) => report(at, `key ${message}`));
    }
    let matched = false;
    const prop = s.properties?.[e.key];
    if (prop && Object.hasOwn(s.properties ?? {}, e.key)) {
      matched = true;
      checkSchema(e.value, prop, root, report);
    }
    for (const [pattern, sub] of Object.entries(s.patternProperties ?? {})) {
      if (!new RegExp(pattern, 'u').test(e.key)) continue;
      matched = true;
      checkSchema(e.value, sub, root, report);
    }
    if (matched || s.additionalProperties === undefined || s.additionalProperties === true) continue;
    if (s.additionalProperties === false) {
      const allowed = known.length ? `; the keys allowed here are ${known.join(', ')}` : '';
      const typo = didYouMean(e.key, known);
      report(keyPlace(e), `unknown key "${clip(e.key)}"${typo || `${allowed}.`}`);
    } else {
      checkSchema(e.value, s.additionalProperties, root, report);
    }
  }
}

function checkSeq(node: SeqNode, s: Schema, root: Schema, report: Report): void {
  if (s.minItems !== undefined && node.items.length < s.minItems) report(node, `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}.`);
  if (s.maxItems !== undefined && node.items.length > s.maxItems) report(node, `has ${node.items.length} items; the limit is ${s.maxItems}.`);
  if (s.items) for (const item of node.items) checkSchema(item, s.items, root, report);
}

/** Whether a node has one of the types; an expanded string is converted when the schema wants a number or boolean. */
function typeMatches(node: TreeNode, type: JsonType | JsonType[], coerce = true): boolean {
  const types = Array.isArray(type) ? type : [type];
  const actual = jsonType(node);
  if (types.includes(actual) || (actual === 'integer' && types.includes('number'))) return true;
  if (!coerce || node.kind !== 'scalar' || !node.expanded || typeof node.value !== 'string') return false;
  const t = node.value.trim();
  if (/^[-+]?[0-9]+(\.[0-9]+)?$/.test(t) && (types.includes('number') || (types.includes('integer') && Number.isInteger(Number(t))))) {
    node.value = Number(t);
    return true;
  }
  if (/^(true|false)$/i.test(t) && types.includes('boolean')) {
    node.value = t.toLowerCase() === 'true';
    return true;
  }
  return false;
}

function jsonType(node: TreeNode): JsonType {
  if (node.kind === 'map') return 'object';
  if (node.kind === 'seq') return 'array';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'boolean' ? 'boolean' : 'string';
}

const TYPE_WORDS: Record<JsonType, string> = {
  object: 'a map', array: 'a list', string: 'a string', integer: 'a whole number',
  number: 'a number', boolean: 'true or false', null: 'empty',
};

/** What a schema asks for, in words: its hint, its enum, or its types. */
function expected(schema: Schema, root: Schema): string {
  const s = schema.$ref ? { ...resolveRef(root, schema.$ref), ...withoutRef(schema) } : schema;
  if (s['x-hint']) return s['x-hint'];
  if (s.enum) return `one of ${s.enum.map(String).join(', ')}`;
  const branches = s.oneOf ?? s.anyOf;
  if (branches) return branches.map((b) => expected(b, root)).join(' or ');
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const shown = types.length > 1 ? types.filter((t) => t !== 'null') : types;
  return shown.map((t) => TYPE_WORDS[t]).join(' or ') || 'a value';
}

function mismatch(node: TreeNode, s: Schema, root: Schema): string {
  const want = expected(s, root);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  let advice = '';
  if (node.kind === 'scalar' && typeof node.value === 'string' && types.includes('boolean') && /^(yes|no|on|off|y|n)$/i.test(node.value)) {
    advice = ` (YAML 1.2 reads "${node.value}" as text); write true or false`;
  } else if (node.kind === 'scalar' && node.value !== null && types.includes('string') && s.pattern === undefined) {
    advice = `; quote it ("${clip(node.text)}") to make it a string`;
  }
  return `must be ${want}, not ${describeKind(node)}${advice}.`;
}

function withoutRef(s: Schema): Schema {
  const { $ref: _ref, ...rest } = s;
  return rest;
}

function clip(text: string): string {
  const masked = redactUrl(text).replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return masked.length > 60 ? `${masked.slice(0, 60)}…` : masked;
}
