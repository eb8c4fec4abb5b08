import { suggest } from '../config/suggest.js';
import type { PorterConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { JOURNAL_FORMAT, JOURNAL_KEEP, type JournalFile } from '../hooks/journal.js';
import type { JournalRun } from '../hooks/journal-entry.js';

/** The hook `porter debug` is asked for: `LIST/NAME`, or a default id such as `pre_pack[0]`. */
export interface DebugTarget {
  list: string;
  hook: string;
}

/** Which run of it: `-e ENV`, `--region R`. */
export interface DebugFilter {
  environment?: string;
  region?: string;
}

/** The run to replay, the journal it is in, and a note when porter chose among its regions. */
export interface FoundRun {
  journal: JournalFile;
  run: JournalRun;
  note?: string;
}

/** Reads `smoke/greet`, `pre_pack/pre_pack[0]` or `pre_pack[0]`; anything else is a usage error showing the form. */
export function parseTarget(text: string): DebugTarget {
  const slash = text.indexOf('/');
  if (slash > 0 && slash < text.length - 1) return { list: text.slice(0, slash), hook: text.slice(slash + 1) };
  const byIndex = /^([A-Za-z0-9][A-Za-z0-9_-]*)\[\d+\]$/.exec(text);
  if (byIndex?.[1]) return { list: byIndex[1], hook: text };
  throw new UsageError(`debug ${text}: name the hook as LIST/NAME, for example \`porter debug smoke/greet\` (a hook without a name: \`porter debug pre_pack[0]\`).`);
}

const key = (r: { list: string; hook: string }): string => `${r.list}/${r.hook}`;

/** Every hook run the journals hold, newest first, once each, with the command that ran it: for "what did run". */
function ranHooks(journals: readonly JournalFile[]): string {
  if (journals.every((j) => j.runs.length === 0)) return 'porter has no record of any hook run in this workspace (it keeps the last commands\' in .porter-tmp/runs/): run the command that runs the hook first.';
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const j of journals) {
    const fresh = [...new Set(j.runs.map(key))].filter((k) => !seen.has(k));
    fresh.forEach((k) => seen.add(k));
    if (fresh.length > 0) parts.push(`${fresh.join(', ')} (porter ${j.command})`);
  }
  return `Hooks that ran: ${parts.join('; ')}.`;
}

/** Why a journal cannot be replayed by this porter for this service, or undefined when it can. */
function unusable(j: JournalFile, service: string, porterVersion: string): string | undefined {
  if (j.service !== service) return `service ${j.service} (the config now says ${service})`;
  if (j.format !== JOURNAL_FORMAT || j.porter !== porterVersion) return `porter ${j.porter} (this is porter ${porterVersion})`;
  return undefined;
}

/**
 * The latest run of `target` in the journals (newest first) that this porter can replay. A hook that ran in
 * several regions of that command needs --region, unless it failed in exactly one of them. Every way of not
 * finding it is a UsageError (exit 2) naming the hooks that did run.
 */
export function findRun(target: DebugTarget, filter: DebugFilter, journals: readonly JournalFile[], config: PorterConfig, porterVersion: string): FoundRun {
  const usable = journals.filter((j) => unusable(j, config.serviceName, porterVersion) === undefined);
  const matches = (r: JournalRun): boolean =>
    r.list === target.list && r.hook === target.hook &&
    (filter.environment === undefined || r.environment === filter.environment) && (filter.region === undefined || r.region === filter.region);
  const name = key(target);
  for (const journal of usable) {
    const runs = journal.runs.filter(matches);
    if (runs.length === 1 && runs[0]) return { journal, run: runs[0] };
    if (runs.length === 0) continue;
    const regions = runs.map((r) => r.region ?? '(none)').join(', ');
    const failed = runs.filter((r) => r.status !== 'passed');
    if (failed.length === 1 && failed[0]) {
      return { journal, run: failed[0], note: `${name} ran in regions ${regions}; replaying ${failed[0].region ?? ''}, where it failed (choose another with --region).` };
    }
    throw new UsageError(`debug ${name}: it last ran in regions ${regions} (porter ${journal.command}); say which with --region REGION.`);
  }
  const ran = ranHooks(usable);
  const elsewhere = journals.find((j) => unusable(j, config.serviceName, porterVersion) !== undefined && j.runs.some(matches));
  if (elsewhere) {
    throw new UsageError(`debug ${name}: its last run was recorded for ${unusable(elsewhere, config.serviceName, porterVersion) ?? ''}, which this porter cannot replay exactly. Run \`porter ${elsewhere.command}\` again to record it anew. ${ran}`);
  }
  const hooks = config.hooks[target.list];
  const journalLists = journals.flatMap((j) => j.runs.map((r) => r.list));
  if (!hooks && !journalLists.includes(target.list)) {
    const close = suggest(target.list, [...new Set([...Object.keys(config.hooks), ...journalLists])]);
    throw new UsageError(`debug ${name}: ${config.file} defines no hook list ${target.list}${close ? `; did you mean ${close}?` : '.'} ${ran}`);
  }
  const names = [...new Set([...(hooks ?? []).map((h) => h.id), ...journals.flatMap((j) => j.runs.filter((r) => r.list === target.list).map((r) => r.hook))])];
  if (!names.includes(target.hook)) {
    const close = suggest(target.hook, names);
    throw new UsageError(`debug ${name}: hook list ${target.list} has no hook ${target.hook}${close ? `; did you mean ${target.list}/${close}?` : ` (its hooks: ${names.join(', ')}).`} ${ran}`);
  }
  const where = [filter.environment ? `-e ${filter.environment}` : '', filter.region ? `--region ${filter.region}` : ''].filter(Boolean).join(' ');
  throw new UsageError(`debug ${name}: porter has no record of ${name} running${where ? ` with ${where}` : ''} in this workspace (porter keeps the hook runs of the last ${JOURNAL_KEEP} commands in .porter-tmp/runs/). ${ran}`);
}
