/** (j)'s scaling series: an SVG chart each (porter and floor, median time per N), and the issue's checks on them. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from './measure.js';
import { peakRss, type ScenarioResult } from './table.js';

interface Point {
  n: number;
  porter: number;
  floor: number;
}

/** A series' points, by N, from the results that belong to it (failed ones left out). */
function points(results: readonly ScenarioResult[], series: string): Point[] {
  return results
    .filter((r) => r.series?.name === series && !r.pending)
    .map((r) => ({ n: r.series?.n ?? 0, porter: median(r.porter.map((s) => s.ms)) / 1000, floor: median(r.floor.map((s) => s.ms)) / 1000 }))
    .sort((a, b) => a.n - b.n);
}

const W = 560;
const H = 340;
const M = { left: 56, right: 28, top: 36, bottom: 44 };

/** Plain SVG: two polylines over linear axes, ticks at each N and at five even steps of time. */
export function scalingSvg(title: string, pts: readonly Point[]): string {
  const maxN = Math.max(...pts.map((p) => p.n), 1);
  const maxT = niceCeil(Math.max(...pts.flatMap((p) => [p.porter, p.floor]), 0.001));
  const x = (n: number): number => M.left + (n / maxN) * (W - M.left - M.right);
  const y = (t: number): number => H - M.bottom - (t / maxT) * (H - M.top - M.bottom);
  const line = (key: 'porter' | 'floor', colour: string, dash: string): string => [
    `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${pts.map((p) => `${x(p.n).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ')}"/>`,
    ...pts.map((p) => `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${colour}"><title>${key} N=${p.n}: ${p[key].toFixed(2)} s</title></circle>`),
  ].join('\n');
  const yTicks = [0, 1, 2, 3, 4, 5].map((i) => (maxT * i) / 5);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
    ...pts.map((p) => `<text x="${x(p.n).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${p.n}</text>`),
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">N (hooks)</text>`,
    ...yTicks.map((t) => `<line x1="${M.left}" y1="${y(t).toFixed(1)}" x2="${W - M.right}" y2="${y(t).toFixed(1)}" stroke="#ddd"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(maxT < 5 ? 1 : 0)}</text>`),
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">median wall time (s)</text>`,
    line('floor', '#888', ' stroke-dasharray="6 4"'),
    line('porter', '#1f6feb', ''),
    `<text x="${M.left + 12}" y="${M.top + 14}" fill="#1f6feb">— porter</text>`,
    `<text x="${M.left + 12}" y="${M.top + 30}" fill="#888">- - floor (dockerode)</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** The smallest of 1, 2, 5 × 10^k at or above `v`. */
function niceCeil(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * k >= v) ?? 10) * k;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const SERIES: Record<string, string> = { sequence: 'N trivial hooks in sequence', group: 'N trivial hooks in one concurrent group', regions: '5 trivial hooks in sequence in N regions (private engines)' };

/** Writes `scaling-<series>.svg` into `dir` for each series with points; returns the files written. */
export async function writeScalingCharts(results: readonly ScenarioResult[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const [series, title] of Object.entries(SERIES)) {
    const pts = points(results, series);
    if (pts.length === 0) continue;
    await mkdir(dir, { recursive: true });
    const file = join(dir, `scaling-${series}.svg`);
    await writeFile(file, scalingSvg(`(j) ${title}: porter vs floor`, pts));
    written.push(file);
  }
  return written;
}

/** The issue's scaling checks, one line each, from what was run (a point not run is said so). */
export function scalingSummary(results: readonly ScenarioResult[]): string {
  const seq = points(results, 'sequence');
  const grp = points(results, 'group');
  const reg = points(results, 'regions');
  if (seq.length + grp.length + reg.length === 0) return '';
  const lines = ['(j) scaling, porter median per hook (s) and ratio to the floor, by N:'];
  for (const [name, pts] of [['sequence', seq], ['group', grp]] as const) {
    if (pts.length === 0) continue;
    lines.push(`    ${name}: ${pts.map((p) => `N=${p.n} ${(p.porter / p.n).toFixed(3)} s/hook (${(p.porter / p.floor).toFixed(2)}×)`).join(', ')}`);
  }
  const at = (pts: Point[], n: number): Point | undefined => pts.find((p) => p.n === n);
  const [s10, s100] = [at(seq, 10), at(seq, 100)];
  if (s10 && s100) {
    const growth = s100.porter / 100 / (s10.porter / 10);
    // The target is about growth: a per-hook cost that falls (start-up spread over more hooks) meets it.
    lines.push(`    per-hook cost in sequence, N=100 against N=10: ${growth.toFixed(2)}× (target: grows by at most 10%: ${growth <= 1.1 ? 'met' : 'missed'})`);
  }
  const g100 = at(grp, 100);
  if (g100) lines.push(`    100-hook group: ${(g100.porter / g100.floor).toFixed(2)}× the floor's group (target ≤ 1.10×: ${g100.porter / g100.floor <= 1.1 ? 'met' : 'missed'})`);
  const rss100 = results.filter((r) => r.series?.n === 100 && !r.pending).map(peakRss).filter((v): v is number => v !== undefined);
  if (rss100.length) lines.push(`    porter's peak RSS at N=100: ${Math.max(...rss100).toFixed(0)} MB (target ≤ 120 MB)`);
  // N regions run at once: the list costs what the slowest region costs, which the floor (every engine at once) stands for.
  if (reg.length) lines.push(`    regions: ${reg.map((p) => `N=${p.n} ${p.porter.toFixed(2)} s (${(p.porter / p.floor).toFixed(2)}× the floor on the same engines)`).join(', ')} (target ≤ 1.10×)`);
  return `${lines.join('\n')}\n`;
}
