/** The run report's timeline: an inline SVG, a row per hook run and phase-body step, grouped by region. */
import { xmlEscape as esc } from './junit.js';
import { formatDuration } from './render-summary.js';
import type { ReportPhase, ReportRun } from './report-runs.js';

const WIDTH = 1200;
const LABEL = 300;
const RIGHT = 120;
const ROW = 20;
const BAR = 12;
const AXIS = 24;

/** The rows of one region (or of runs without one), in the order they started. */
export interface RegionRows {
  region?: string;
  runs: ReportRun[];
}

/** Where a run's bar begins: its first attempt, or its end for a hook that never started. */
export const runStart = (r: ReportRun): number => r.starts[0] ?? r.end ?? 0;

/** Runs grouped by region in order of first appearance (runs without a region first), each group in start order. */
export function byRegion(runs: readonly ReportRun[]): RegionRows[] {
  const groups = new Map<string, RegionRows>();
  const sorted = [...runs].sort((a, b) => (a.region === undefined ? 0 : 1) - (b.region === undefined ? 0 : 1) || runStart(a) - runStart(b) || a.id - b.id);
  for (const r of sorted) {
    const key = r.region === undefined ? '' : `r:${r.region}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ...(r.region !== undefined ? { region: r.region } : {}), runs: [] }));
    group.runs.push(r);
  }
  return [...groups.values()];
}

/** 1, 2 or 5 times a power of ten (ms), so that about `count` ticks span `range`. */
function tickStep(range: number, count: number): number {
  const raw = Math.max(range / count, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow);
}

const tickLabel = (ms: number): string => (ms === 0 ? '0' : formatDuration(ms));

/** A run's tooltip and the label after its bar. */
export function runSummary(r: ReportRun): string {
  const parts: string[] = [r.status];
  if (r.exitCode !== undefined && r.status !== 'passed') parts.push(`exit ${r.exitCode}`);
  if (r.attempts > 1) parts.push(`${r.attempts} attempts`);
  if (r.durationMs !== undefined && r.status !== 'skipped') parts.push(formatDuration(r.durationMs));
  return parts.join(', ');
}

/**
 * The SVG of one section: phases as bands on top, then a row per run, grouped by region. Each attempt of a run is
 * its own segment (a retry starts a new one), coloured by status (an attempt that was retried failed); the part
 * of the first attempt spent building the hook's image is drawn lighter. Concurrent runs overlap in time, so their
 * bars stand side by side. `now` ends the bars of runs still going (an interrupted porter).
 */
export function renderTimeline(runs: readonly ReportRun[], phases: readonly ReportPhase[], now: number): string {
  const groups = byRegion(runs);
  const showRegions = groups.some((g) => g.region !== undefined);
  const t0 = Math.min(...runs.map(runStart), ...phases.map((p) => p.start), now);
  const t1 = Math.max(t0 + 1, now, ...runs.map((r) => r.end ?? now), ...phases.map((p) => p.end ?? now));
  const chart = WIDTH - LABEL - RIGHT;
  const x = (t: number): number => LABEL + ((t - t0) / (t1 - t0)) * chart;
  const out: string[] = [];
  let y = AXIS;

  const label = (text: string, cls: string): string => `<text class="${cls}" x="${LABEL - 8}" y="${y + BAR - 1}" text-anchor="end">${esc(text.length > 44 ? `${text.slice(0, 43)}…` : text)}</text>`;
  // A bar's label goes after it, else before it, else inside it (white): wherever it fits (10px text, ~5.6px a character).
  const after = (end: number, start: number, text: string): string => {
    const width = text.length * 5.6;
    const [xEnd, xStart] = [x(end) + 4, x(start) - 4];
    const at = xEnd + width <= WIDTH ? `class="dur" x="${xEnd.toFixed(1)}"`
      : xStart - width >= LABEL ? `class="dur" x="${xStart.toFixed(1)}" text-anchor="end"` : `class="dur inside" x="${(x(end) - 4).toFixed(1)}" text-anchor="end"`;
    return `<text ${at} y="${y + BAR - 1}">${esc(text)}</text>`;
  };
  // `gap`: a retried attempt stops short of the next one, so each attempt reads as a segment of its own.
  const rect = (from: number, to: number, cls: string, gap = 0): string =>
    `<rect class="${cls}" x="${x(from).toFixed(1)}" y="${y}" width="${Math.max(2, x(to) - x(from) - gap).toFixed(1)}" height="${BAR}" rx="2"/>`;

  for (const p of phases) {
    const end = p.end ?? now;
    const title = `${p.phase}${p.environment ? ` -e ${p.environment}` : ''}`;
    out.push(`<g class="phase st-${esc(p.status ?? 'running')}"><title>${esc(`phase ${title}: ${p.status ?? 'running'}, ${formatDuration(end - p.start)}`)}</title>`
      + `${label(`phase ${title}`, 'phase-label')}${rect(p.start, end, 'seg')}${after(end, p.start, formatDuration(end - p.start))}</g>`);
    y += ROW;
  }
  for (const g of groups) {
    if (showRegions) {
      out.push(`<text class="region" x="8" y="${y + BAR}">${esc(g.region === undefined ? 'no region' : `region ${g.region}`)}</text>`);
      out.push(`<line class="sep" x1="0" x2="${WIDTH}" y1="${y + ROW - 3}" y2="${y + ROW - 3}"/>`);
      y += ROW;
    }
    for (const r of g.runs) {
      const end = r.end ?? now;
      const segs: string[] = [];
      if (r.starts.length === 0) {
        segs.push(`<rect class="seg st-${r.status}" x="${(x(end) - 1).toFixed(1)}" y="${y}" width="3" height="${BAR}"/>`);
      }
      r.starts.forEach((s, i) => {
        const to = r.starts[i + 1] ?? end;
        const last = i === r.starts.length - 1;
        segs.push(rect(s, to, `seg st-${last ? r.status : 'failed'}${last ? '' : ' retried'}`, last ? 0 : 2));
        if (i === 0 && r.buildEnd !== undefined) segs.push(rect(s, Math.min(r.buildEnd, to), 'seg build'));
      });
      const text = runSummary(r);
      out.push(`<a class="bar-link" href="#run-${r.id}"><g class="bar st-${r.status}" data-run="${r.id}"><title>${esc(`${r.list} ${r.hook}${r.region ? ` (${r.region})` : ''}: ${text}`)}</title>`
        + `<rect class="hit" x="0" y="${y - 3}" width="${WIDTH}" height="${ROW}"/>${label(`${r.list} ${r.hook}`, 'run-label')}${segs.join('')}${after(end, runStart(r), text)}</g></a>`);
      y += ROW;
    }
  }
  const step = tickStep(t1 - t0, 8);
  const ticks: string[] = [];
  for (let t = 0; t <= t1 - t0; t += step) {
    ticks.push(`<line class="tick" x1="${x(t0 + t).toFixed(1)}" x2="${x(t0 + t).toFixed(1)}" y1="${AXIS - 6}" y2="${y}"/><text class="axis" x="${x(t0 + t).toFixed(1)}" y="${AXIS - 10}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  const height = y + 6;
  return `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="timeline of ${runs.length} hook runs" xmlns="http://www.w3.org/2000/svg">${ticks.join('')}${out.join('')}</svg>`;
}
