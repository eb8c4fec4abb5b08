import { suggest } from './suggest.js';
import { get, getString, mapItems } from './tree.js';
import type { CheckContext, MapNode, TreeNode } from './tree.js';
import { EVENT_KINDS, RESERVED_HOOK_LISTS, type EventHookConfig, type EventKind, type OncePer } from './types.js';

/**
 * The checks on `events:` that the schema cannot express: each entry's `hooks` names a user-defined list of
 * this config, and its `container` a container of some region (with a suggestion when one is close).
 */
export function checkEventHooks(root: MapNode, ctx: CheckContext): void {
  const entries = mapItems(get(root, 'events'));
  if (entries.length === 0) return;
  const hooks = get(root, 'hooks');
  const lists = hooks?.kind === 'map' ? hooks.entries.map((e) => e.key) : [];
  const userLists = lists.filter((l) => !RESERVED_HOOK_LISTS.includes(l));
  const containers = containerNames(root);
  for (const entry of entries) {
    const list = get(entry, 'hooks');
    const name = getString(entry, 'hooks');
    if (list && name !== undefined && ctx.clean(list.path)) {
      if (RESERVED_HOOK_LISTS.includes(name)) {
        ctx.report(list, `"${name}" is a phase hook list, run by its phase; an event runs a user-defined list, so define one (say on_${name.replace(/^(pre|post)_/, '')}_event:) under hooks: and name it here.`);
      } else if (!userLists.includes(name)) {
        const close = suggest(name, userLists);
        const known = userLists.length ? `the user-defined lists are ${userLists.join(', ')}` : 'it defines no user-defined list yet';
        ctx.report(list, `names no hook list of this config${close ? `; did you mean ${close}?` : `: ${known}. Add ${name}: under hooks:, or name an existing list.`}`);
      }
    }
    const container = get(entry, 'container');
    const wanted = getString(entry, 'container');
    if (container && wanted !== undefined && ctx.clean(container.path) && !containers.includes(wanted)) {
      const close = suggest(wanted, containers);
      ctx.report(container, `names no container of this config${close ? `; did you mean ${close}?` : `: its containers are ${containers.join(', ') || 'none'}. Name one of them, or leave container out to react to all.`}`);
    }
  }
}

/** Every container name the environments give their regions (`primary` too when a region lists none: the original's default). */
function containerNames(root: MapNode): string[] {
  const names = new Set<string>();
  for (const env of mapItems(get(root, 'environments'))) {
    for (const region of mapItems(get(env, 'regions'))) {
      const containers = mapItems(get(region, 'containers'));
      if (containers.length === 0) names.add('primary');
      for (const c of containers) {
        const name = getString(c, 'name');
        if (name !== undefined) names.add(name);
      }
    }
  }
  return [...names];
}

/** The `events:` entries of a config that passed every check, with their defaults (`once_per: event`). */
export function normalizeEventHooks(root: MapNode): EventHookConfig[] {
  return mapItems(get(root, 'events')).map((entry, index) => {
    const container = getString(entry, 'container');
    return {
      index,
      on: eventKinds(get(entry, 'on')),
      ...(container !== undefined ? { container } : {}),
      hooks: getString(entry, 'hooks') ?? '',
      oncePer: (getString(entry, 'once_per') ?? 'event') as OncePer,
      line: entry.line,
    };
  });
}

function eventKinds(node: TreeNode | undefined): EventKind[] {
  const items = node?.kind === 'seq' ? node.items : node ? [node] : [];
  const kinds = items.flatMap((i) => (i.kind === 'scalar' && typeof i.value === 'string' ? [i.value] : []));
  return [...new Set(kinds.filter((k): k is EventKind => (EVENT_KINDS as readonly string[]).includes(k)))];
}
