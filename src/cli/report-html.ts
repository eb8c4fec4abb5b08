/** The run report's page: one self-contained HTML file, produced piece by piece so a big run is never one huge string. */
import { xmlEscape as esc } from './junit.js';
import { formatDuration } from './render-summary.js';
import { REPORT_CSS, REPORT_JS } from './report-assets.js';
import { HEAD_BYTES, HEAD_LINES, TAIL_BYTES, TAIL_LINES, type LinesView } from './report-lines.js';
import type { ReportModel, ReportRun } from './report-runs.js';
import { byRegion, renderTimeline, runStart, runSummary } from './report-timeline.js';

/** What the page says about the command as a whole. */
export interface ReportEnd {
  /** `porter build hook -name smoke`: the command line. */
  command: string;
  /** The exit code of the run-end event; undefined while porter still runs (the page written at start). */
  exitCode?: number;
  durationMs?: number;
}

const FAILED = new Set(['failed', 'timed-out', 'cancelled']);
const STATUSES = ['passed', 'failed', 'timed-out', 'cancelled', 'skipped', 'running'] as const;

/** JSON safe inside a <script> element: no `<` can end it early. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const title = (r: ReportRun): string => `${r.list} ${r.hook}${r.region ? ` (${r.region})` : ''}`;

/** What the page says where lines were left out. */
function gapNote(lines: LinesView): string {
  if (lines.dropped) return `… this run's ${lines.omitted} lines were left out to keep the report small (its whole output is in --log-format json)`;
  return `… ${lines.omitted} lines left out: the report keeps a run's first ${HEAD_LINES} lines (up to ${HEAD_BYTES / 1024} KiB) and at least its last ${TAIL_LINES / 2} (up to ${TAIL_LINES} and ${TAIL_BYTES / 1024} KiB); its whole output is in --log-format json …`;
}

/**
 * A JSON array of lines, in pieces of about 16 KiB: strings past V8's regular object size (128 KiB) go straight to
 * the large-object space and stay until a full collection, so a page built of them would swell porter's memory.
 */
function* jsonLines(lines: readonly string[]): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  yield '[';
  for (const [i, line] of lines.entries()) {
    const item = `${i > 0 ? ',' : ''}${scriptJson(line)}`;
    batch.push(item);
    size += item.length;
    if (size >= 16_384) {
      yield batch.join('');
      batch = [];
      size = 0;
    }
  }
  yield `${batch.join('')}]`;
}

function* runDetails(r: ReportRun, started: number): Generator<string> {
  const facts: string[] = [['status', r.status], ['started', r.starts.length ? `+${formatDuration(runStart(r) - started)}` : 'never (not run)']]
    .map(([k, v]) => `<dt>${k}</dt><dd>${esc(v ?? '')}</dd>`);
  if (r.exitCode !== undefined) facts.push(`<dt>exit code</dt><dd>${r.exitCode}</dd>`);
  facts.push(`<dt>attempts</dt><dd>${r.attempts}</dd>`);
  if (r.durationMs !== undefined) facts.push(`<dt>duration</dt><dd>${formatDuration(r.durationMs)}</dd>`);
  if (r.stage && r.status !== 'passed') facts.push(`<dt>stage</dt><dd>${esc(r.stage)}</dd>`);
  if (r.message) facts.push(`<dt>why</dt><dd>${esc(r.message)}</dd>`);
  const outputs = Object.entries(r.outputs ?? {});
  if (outputs.length > 0) {
    facts.push(`<dt>outputs</dt><dd><table class="outputs">${outputs.map(([k, v]) => `<tr><td class="mono">${esc(k)}</td><td class="mono">${esc(v)}</td></tr>`).join('')}</table></dd>`);
  }
  const lines = r.lines.view();
  const text = [r.section ?? '', r.list, r.hook, r.region ?? '', r.status].join(' ').toLowerCase();
  const open = FAILED.has(r.status) ? ' open' : '';
  const summary = `<summary><span class="badge b-${r.status}">${r.status}</span><span class="title">${esc(title(r))}</span><span class="facts">${esc(runSummary(r))}</span></summary>`;
  yield `<details class="run st-${r.status}" id="run-${r.id}" data-run="${r.id}" data-text="${esc(text)}"${open}>${summary}<div class="body"><dl class="facts">${facts.join('')}</dl>`
    + `<pre class="lines"></pre><script type="application/json" id="lines-${r.id}">{"head":`;
  yield* jsonLines(lines.head);
  yield ',"tail":';
  yield* jsonLines(lines.tail);
  yield `,"omitted":${lines.omitted},"dropped":${lines.dropped}${lines.omitted > 0 ? `,"gap":${scriptJson(gapNote(lines))}` : ''}}</script></div></details>\n`;
}

function counts(runs: readonly ReportRun[]): string {
  return STATUSES.map((s) => [s, runs.filter((r) => r.status === s).length] as const).filter(([, n]) => n > 0)
    .map(([s, n]) => `<span><span class="badge b-${s}">${n} ${s}</span></span>`).join(' ');
}

/** Sections in order of appearance (an ordinary command has one, unnamed). */
function sections(model: ReportModel): (string | undefined)[] {
  return [...new Set<string | undefined>([...model.runs.map((r) => r.section), ...model.phases.map((p) => p.section)])];
}

/**
 * The page, in pieces: a header (command, exit code, duration, counts, errors and warnings), the filter box, then
 * per section its timeline and each run's details: failed ones first and open, their output lines filled in by
 * the page's script from JSON. `now` closes what was still running when the page was written.
 */
export function* renderReport(model: ReportModel, end: ReportEnd, now: number): Generator<string> {
  const started = model.started ?? now;
  const running = end.exitCode === undefined;
  const state = running ? '<span class="badge b-running">running</span> porter had not finished when this page was written'
    : `<span class="badge b-${end.exitCode === 0 ? 'passed' : 'failed'}">exit ${end.exitCode}</span>`;
  yield `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">`
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`
    + `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(`porter report: ${end.command}`)}</title><style>${REPORT_CSS}</style></head><body>\n`;
  yield `<header><h1>porter report</h1><div class="mono">${esc(end.command)}</div><div class="meta"><span>${state}</span>`
    + `<span>started ${esc(new Date(started).toISOString())}</span>${end.durationMs !== undefined ? `<span>took ${formatDuration(end.durationMs)}</span>` : ''}`
    + `<span>${counts(model.runs)}</span></div>`;
  if (model.errors.length > 0) yield `<div class="errors">${model.errors.map((e) => `<pre>${esc(`exit ${e.exitCode}: ${e.message}`)}</pre>`).join('')}</div>`;
  const warnings = model.messages.filter((m) => m.level === 'warn');
  if (warnings.length > 0) yield `<ul class="warnings">${warnings.map((m) => `<li>${esc(m.text)}</li>`).join('')}</ul>`;
  const infos = model.messages.filter((m) => m.level !== 'warn');
  if (infos.length > 0 || model.messagesOmitted > 0) {
    yield `<details><summary>messages (${infos.length + model.messagesOmitted})</summary><ul>${infos.map((m) => `<li>${esc(m.text)}</li>`).join('')}</ul>`
      + `${model.messagesOmitted ? `<p class="note">${model.messagesOmitted} more messages are in --log-format json.</p>` : ''}</details>`;
  }
  yield `</header>\n<main><div class="filter"><input type="search" id="filter" placeholder="filter runs: hook, list, region, status…" aria-label="filter runs"><span id="filter-count" class="note"></span></div>\n`;
  if (model.runs.length === 0 && model.phases.length === 0) yield '<p class="note">No hook ran.</p>\n';
  for (const section of sections(model)) {
    const runs = model.runs.filter((r) => r.section === section);
    if (section !== undefined) yield `<h2 class="section">${esc(section)}</h2>\n`;
    yield `<div class="panel">${renderTimeline(runs, model.phases.filter((p) => p.section === section), model.lastTime ?? now)}</div>\n`;
    // The timeline's order (by region, then start), failures first.
    const rows = byRegion(runs).flatMap((g) => g.runs);
    const ordered = [...rows.filter((r) => FAILED.has(r.status)), ...rows.filter((r) => !FAILED.has(r.status))];
    for (const r of ordered) yield* runDetails(r, started);
  }
  yield `</main><script>${REPORT_JS}</script></body></html>\n`;
}
