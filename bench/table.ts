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
  /** With `--before`: each other build of porter, measured interleaved with these. */
  before: Sample[][];
  /** An extra condition that failed (a fetch on the 2nd run, a heavy module under --help). */
  problem?: string;
  note?: string;
  /** A point of a scaling series (j). */
  series?: { name: string; n: number };
  /** Set when the scenario could not be run at all. */
  pending?: string;
}

const seconds = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** The median over repetitions of a/b within each repetition: runs next to each other in time share their noise. */
export function pairedRatio(a: readonly Sample[], b: readonly Sample[]): number {
  return median(a.slice(0, b.length).map((s, i) => s.ms / (b[i]?.ms ?? NaN)));
}

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
      rows.push(`| (${r.id}) ${r.title} | – | – | – | – | – | ${r.pending.startsWith('failed') ? r.pending : `pending: ${r.pending}`} |`);
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
    const fastest = (samples: Sample[]): string => seconds(Math.min(...samples.map((s) => s.ms)));
    lines.push(`    porter s: ${list(r.porter)}    floor s: ${list(r.floor)}`);
    lines.push(`    fastest: porter ${fastest(r.porter)}, floor ${fastest(r.floor)}; median of per-repetition ratios: ${pairedRatio(r.porter, r.floor).toFixed(2)}×`);
    if (r.note) lines.push(`    ${r.note}`);
  }
  return `${lines.join('\n')}\n`;
}

/** With `--before`: porter (after) against each other build (before), by median and by fastest run. */
export function renderBefore(results: readonly ScenarioResult[], porterBin: string, beforeBins: readonly string[]): string {
  const lines = [
    `after = ${porterBin}`,
    ...beforeBins.map((bin, i) => `before#${i + 1} = ${bin}`),
    '',
    '| scenario | before | before median | after median | after / before | paired after / before | before fastest | after fastest |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.pending) continue;
    const [after, afterMin] = [median(r.porter.map((s) => s.ms)), Math.min(...r.porter.map((s) => s.ms))];
    for (const [i, samples] of r.before.entries()) {
      const [before, beforeMin] = [median(samples.map((s) => s.ms)), Math.min(...samples.map((s) => s.ms))];
      lines.push(`| (${r.id}) ${r.title} | #${i + 1} | ${seconds(before)} | ${seconds(after)} | ${(after / before).toFixed(3)} | ${pairedRatio(r.porter, samples).toFixed(3)} | ${seconds(beforeMin)} | ${seconds(afterMin)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
