import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Alias, Document, LineCounter, Node, Pair, Scalar } from 'yaml';
import { expandString } from './expand.js';
import type { Lookup } from './expand.js';
import { itemSchema, propertySchema } from './schema.js';
import type { Schema } from './schema.js';
import { childPath, indexPath } from './tree.js';
import type { MapEntry, MapNode, Report, ScalarNode, TreeNode } from './tree.js';
import type { IgnoredKey } from './types.js';

/** Beyond this many nodes (aliases re-used over and over), the document is refused: no real config comes close. */
export const MAX_TREE_NODES = 100_000;

class TooLarge extends Error {}

/**
 * Converts a parsed YAML document into located nodes: aliases and `<<` merge keys resolved,
 * string values expanded with `lookup` (keys never are). Undefined for an empty document. With the
 * config `schema`, the values of keys it marks `x-ignored` (the original porter's AWS-only keys) are
 * kept as written: an unset `${DEPLOYMENT_ROLE_ARN}` there is not an error.
 */
export function buildTree(
  doc: Document.Parsed, lines: LineCounter, lookup: Lookup, report: Report,
  schema?: Schema, onIgnored?: (found: IgnoredKey) => void,
): TreeNode | undefined {
  const anchors = resolveAliases(doc);
  const expanded = new Map<Scalar, ScalarNode | null>();
  const onStack = new Set<Node>();
  let count = 0;

  const lineOf = (node: Node | null | undefined, fallback: number): number =>
    node?.range ? lines.linePos(node.range[0]).line : fallback;

  /** `at`: the schema this node is checked against (undefined: unknown, or raw); `raw`: inside an ignored key. */
  function convert(node: Node | null, path: string, fallbackLine: number, at?: Schema, raw = false): TreeNode {
    if (++count > MAX_TREE_NODES) throw new TooLarge();
    if (node === null) return { kind: 'scalar', value: null, text: '', line: fallbackLine, path };
    const line = lineOf(node, fallbackLine);
    if (isAlias(node)) {
      const target = anchors.get(node);
      if (target === undefined || onStack.has(target)) {
        report({ line, path }, `alias *${node.source} ${target ? 'refers to a node that contains it' : 'has no anchor before it'}; define &${node.source} earlier, outside the node that uses it.`);
        return { kind: 'scalar', value: null, text: '', line, path };
      }
      return convert(target, path, line, at, raw);
    }
    onStack.add(node);
    try {
      if (isMap(node)) return { kind: 'map', entries: mapEntries(node.items, path, line, at, raw), line, path };
      if (isSeq(node)) {
        const items = node.items.map((item, i) => convert(item as Node | null, indexPath(path, i), line, schema && !raw ? itemSchema(schema, at) : undefined, raw));
        return { kind: 'seq', items, line, path };
      }
      if (isScalar(node)) return scalar(node, path, line, raw);
    } finally {
      onStack.delete(node);
    }
    report({ line, path }, 'is not a value porter can read; write a plain string, number, boolean, list or map.');
    return { kind: 'scalar', value: null, text: '', line, path };
  }

  function scalar(node: Scalar, path: string, line: number, raw: boolean): ScalarNode {
    const v: unknown = node.value;
    if (v === null || typeof v === 'boolean' || typeof v === 'number') {
      return { kind: 'scalar', value: v, text: v === null ? '' : (node.source ?? String(v)), line, path };
    }
    if (typeof v !== 'string') {
      if (raw) return { kind: 'scalar', value: null, text: '', line, path };
      report({ line, path }, 'is not a value porter can read (a YAML tag?); write a plain string, number or boolean.');
      return { kind: 'scalar', value: null, text: '', line, path };
    }
    if (raw) return { kind: 'scalar', value: v, text: v, line, path };
    let cached = expanded.get(node);
    if (cached === undefined) {
      const result = expandString(v, lookup);
      if (result.ok && result.value.includes('\0')) {
        report({ line, path }, 'contains a NUL character, which no file name, argument or environment value can hold; remove it.');
      } else if (!result.ok) {
        report({ line, path }, result.message);
      }
      cached = result.ok ? { kind: 'scalar', value: result.value, text: result.value, line, path, expanded: result.changed } : null;
      expanded.set(node, cached);
    }
    return cached ? { ...cached, line, path } : { kind: 'scalar', value: '', text: '', line, path };
  }

  function mapEntries(pairs: readonly Pair[], path: string, line: number, at: Schema | undefined, raw: boolean): MapEntry[] {
    const explicit = new Set(pairs.filter((p) => !isMergeKey(p.key)).map((p) => keyText(p.key)));
    const entries: MapEntry[] = [];
    const seen = new Set<string>();
    for (const pair of pairs) {
      const key = pair.key as Node | null;
      const keyLine = lineOf(key, line);
      if (isMergeKey(key)) {
        for (const source of mergeSources(pair.value as Node | null)) {
          const merged = convert(source, path, keyLine, at, raw);
          if (isAlias(source) && !anchors.has(source)) continue;
          if (merged.kind !== 'map') {
            report({ line: keyLine, path }, '`<<` merges only maps: give it an alias of a map (<<: *defaults) or a list of them.');
            continue;
          }
          for (const e of merged.entries) {
            if (explicit.has(e.key) || seen.has(e.key)) continue;
            seen.add(e.key);
            entries.push(e);
          }
        }
        continue;
      }
      if (key !== null && !isScalar(key)) {
        report({ line: keyLine, path }, 'has a key that is a list or map; keys must be plain text.');
        continue;
      }
      const text = keyText(key);
      seen.add(text);
      const child = schema && !raw ? propertySchema(schema, at, text) : undefined;
      const why = child?.['x-ignored'];
      if (why !== undefined) onIgnored?.({ key: text, path: childPath(path, text), line: keyLine, why });
      const ignored = raw || why !== undefined || child?.['x-raw'] === true;
      entries.push({ key: text, keyLine, value: convert(pair.value as Node | null, childPath(path, text), keyLine, ignored ? undefined : child, ignored) });
    }
    return entries;
  }

  function mergeSources(value: Node | null): (Node | null)[] {
    if (isSeq(value)) return value.items as (Node | null)[];
    return [value];
  }

  try {
    const root = doc.contents as Node | null;
    return root === null ? undefined : convert(root, '', 1, schema);
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err;
    report({ line: 0, path: '' }, `expands to more than ${MAX_TREE_NODES} values through YAML aliases; write the repeated parts out, or use fewer aliases.`);
    return undefined;
  }
}

/** Maps every alias to the node its anchor names: the last one defined before it, as YAML says. */
function resolveAliases(doc: Document.Parsed): Map<Alias, Node> {
  const latest = new Map<string, Node>();
  const resolved = new Map<Alias, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = latest.get(node.source);
        if (target) resolved.set(node, target);
      } else if (node.anchor) {
        latest.set(node.anchor, node);
      }
    },
  });
  return resolved;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol';
}

function keyText(key: unknown): string {
  if (!isScalar(key)) return '';
  const v: unknown = key.value;
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return key.source ?? String(v);
}
