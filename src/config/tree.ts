/**
 * The config as a tree of located nodes: the parsed YAML with aliases and merge keys resolved,
 * `${VAR}` expanded, and every node carrying its line and key path for messages.
 */

interface Located {
  /** 1-based line in the config file; 0 when unknown. */
  line: number;
  /** Key path such as `hooks.post_pack[2].run_condition`. */
  path: string;
}

export interface MapNode extends Located {
  kind: 'map';
  entries: MapEntry[];
}

export interface MapEntry {
  key: string;
  keyLine: number;
  value: TreeNode;
}

export interface SeqNode extends Located {
  kind: 'seq';
  items: TreeNode[];
}

export type ScalarValue = string | number | boolean | null;

export interface ScalarNode extends Located {
  kind: 'scalar';
  value: ScalarValue;
  /** The value as written (after expansion): `1.10` stays `1.10` where `value` is 1.1. */
  text: string;
  /** A string that `${VAR}` expansion produced: the schema may read it as a number or boolean. */
  expanded?: boolean;
}

export type TreeNode = MapNode | SeqNode | ScalarNode;

/** Where a problem is: a node, or a key of a map (its line, the value's path). */
export interface Place {
  line: number;
  path: string;
}

/** Collects one problem; every check reports through one of these. */
export type Report = (at: Place, message: string) => void;

/** Appends a key to a path, quoting keys that would not read as one (`environment["a b"]`). */
export function childPath(parent: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (part.startsWith('[')) return `${parent}${part}`;
  return parent ? `${parent}.${part}` : part;
}

/** Appends a sequence index to a path. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** The entry for `key`, if the map has it. */
export function entry(map: MapNode, key: string): MapEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** The value under `key`, if the map has it. */
export function get(map: MapNode, key: string): TreeNode | undefined {
  return entry(map, key)?.value;
}

/** The place of a key itself, for "unknown key" and "duplicate" messages. */
export function keyPlace(e: MapEntry): Place {
  return { line: e.keyLine, path: e.value.path };
}

/** The string under `key`, or undefined when absent or not a string (the schema reports that). */
export function getString(map: MapNode, key: string): string | undefined {
  const node = get(map, key);
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
}

/** The scalar under `key` as its text, or undefined when absent, null or not a scalar. */
export function getText(map: MapNode, key: string): string | undefined {
  const node = get(map, key);
  return node?.kind === 'scalar' && node.value !== null ? node.text : undefined;
}

/** The map nodes of a sequence (or of nothing), skipping items of other kinds. */
export function mapItems(node: TreeNode | undefined): MapNode[] {
  if (node?.kind !== 'seq') return [];
  return node.items.filter((i): i is MapNode => i.kind === 'map');
}

/** Describes a node's kind the way messages say it: "a string", "a list", "a map"... */
export function describeKind(node: TreeNode): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'nothing (null)';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return Number.isInteger(v) ? 'an integer' : 'a number';
}

/** What a semantic check needs: the repo's real root, where to report, and whether the schema already flagged a path. */
export interface CheckContext {
  realRoot: string;
  report: Report;
  /** False when the schema reported a problem at this exact path: a second message would only repeat it. */
  clean: (path: string) => boolean;
}
