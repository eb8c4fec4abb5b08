/** The bench's report: one Markdown table row per scenario, then how each was measured. */
import { median, type Sample } from './measure.js';

/** Peak RSS porter must stay under in every scenario. */
export const RSS_LIMIT_MB = 120;

export interface ScenarioResult {
  id: string;
  title: string;
  floorIs: string;
  target: number | undefined;
  porter: Sample[];
  floor: Sample[];
  /** With `--before`: the other build of porter, measured interleaved with these. */
  before?: Sample[];
  /** An extra condition that failed (a fetch on the 2nd run, a heavy module under --help). */
  problem?: string;
  note?: string;
  /** Set when the scenario could not be run at all. */
  pending?: string;
}

const seconds = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Porter's median over the floor's. */
export function ratio(r: ScenarioResult): number {
  return median(r.porter.map((s) => s.ms)) / median(r.floor.map((s) => s.ms));
}

/** The largest RSS any porter run of the scenario reached, in MB. */
export function peakRss(r: ScenarioResult): number | undefined {
  const values = r.porter.map((s) => s.rssMb).filter((v): v is number => v !== undefined);
  return values.length ? Math.max(...values) : undefined;
}

/** Met when the ratio is within target, RSS within the limit and no extra condition failed. */
export function verdict(r: ScenarioResult): string {
  if (r.pending) return 'pending';
  const why: string[] = [];
  if (r.target !== undefined && ratio(r) > r.target) why.push('ratio');
  const rss = peakRss(r);
  if (rss !== undefined && rss > RSS_LIMIT_MB) why.push('RSS');
  if (r.problem) why.push(r.problem);
  return why.length ? `**missed** (${why.join('; ')})` : 'met';
}

/** The Markdown table of issue 8: scenario, medians, ratio, porter's peak RSS, target, met or missed. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const rows = [
    '| scenario | porter median | floor median | ratio | porter peak RSS | target | result |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const r of results) {
    if (r.pending) {
      rows.push(`| (${r.id}) ${r.title} | – | – | – | – | – | pending: ${r.pending} |`);
      continue;
    }
    const rss = peakRss(r);
    rows.push([
      '', `(${r.id}) ${r.title}`, seconds(median(r.porter.map((s) => s.ms))), seconds(median(r.floor.map((s) => s.ms))),
      `${ratio(r).toFixed(2)}×`, rss === undefined ? 'n/a' : `${rss.toFixed(0)} MB`,
      `${r.target === undefined ? '' : `≤ ${r.target.toFixed(2)}×, `}≤ ${RSS_LIMIT_MB} MB`, verdict(r), '',
    ].join(' | ').trim());
  }
  return `${rows.join('\n')}\n`;
}

/** Each scenario's floor, every sample (so noise is visible), and the notes of extra checks. */
export function renderDetails(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.pending) continue;
    const list = (samples: Sample[]): string => samples.map((s) => (s.ms / 1000).toFixed(2)).join(' ');
    lines.push(`(${r.id}) floor: ${r.floorIs}`);
    lines.push(`    porter s: ${list(r.porter)}    floor s: ${list(r.floor)}`);
    if (r.note) lines.push(`    ${r.note}`);
  }
  return `${lines.join('\n')}\n`;
}

/** With `--before`: porter now against the other build, each change's before and after. */
export function renderBefore(results: readonly ScenarioResult[], beforeBin: string): string {
  const lines = [`before = ${beforeBin}`, '| scenario | before median | after median | after / before |', '|---|---:|---:|---:|'];
  for (const r of results) {
    if (r.pending || !r.before) continue;
    const [before, after] = [median(r.before.map((s) => s.ms)), median(r.porter.map((s) => s.ms))];
    lines.push(`| (${r.id}) ${r.title} | ${seconds(before)} | ${seconds(after)} | ${(after / before).toFixed(3)} |`);
  }
  return `${lines.join('\n')}\n`;
}
