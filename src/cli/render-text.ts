import { formatStatus } from './render-status.js';
import type { HookResult, PorterEvent } from '../events.js';
import { createGitHubGroups, createPlainOutput, escapeData, escapeProperty } from './hook-groups.js';
import { createProgressTerminal } from './progress-line.js';
import { formatPlan } from './render-plan.js';
import { formatDuration, hookTitle, renderSummary, type Paint } from './render-summary.js';
import { describeEvent } from './describe-event.js';

export interface TextRenderOptions {
  write: (text: string) => void;
  /** Where messages marked `stderr` go; default `write`. */
  writeErr?: (text: string) => void;
  /** SGR colours: a TTY, no NO_COLOR, no --no-color. */
  color: boolean;
  quiet: boolean;
  githubActions: boolean;
  /** The transient build progress line: a TTY only. Ignored with quiet or githubActions. */
  progress?: boolean;
  /** Terminal width, for cutting the progress line. */
  columns?: number;
}

const COLORS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const QUIET_KEEP = 200;
const ANNOTATION_TAIL = 5;

type HookRef = { list: string; hook: string; region?: string; run?: string };
const keyOf = (e: HookRef): string => `${e.list}\u0000${e.hook}\u0000${e.region ?? ''}\u0000${e.run ?? ''}`;
const buildKey = (e: HookRef): string => `${e.list}\u0000${e.hook}`;
const isFailure = (r: HookResult): boolean => r.status === 'failed' || r.status === 'timed-out';

/**
 * Human output: each hook line as it arrives, prefixed `[list hook region]` (a colour per hook), a
 * build progress line on a TTY, GitHub Actions groups and annotations, and a summary at run end.
 * With `quiet`, only failed hooks' output (when they end) and the summary.
 */
export function createTextRenderer(opts: TextRenderOptions): (event: PorterEvent) => void {
  const paint: Paint = (code, text) => (opts.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const terminal = createProgressTerminal(opts.write, {
    enabled: Boolean(opts.progress) && !opts.quiet && !opts.githubActions,
    columns: opts.columns ?? 80,
  });
  const out = opts.githubActions ? createGitHubGroups(terminal.write) : createPlainOutput(terminal.write);
  const colorOf = new Map<string, number>();
  const attempts = new Map<string, number>();
  const quietLines = new Map<string, string[]>();
  const regions = new Set<string>();
  const results: HookResult[] = [];

  const prefix = (e: HookRef): string => {
    const k = keyOf(e);
    if (!colorOf.has(k)) colorOf.set(k, COLORS[colorOf.size % COLORS.length] ?? 36);
    const attempt = attempts.get(k) ?? 1;
    const label = `[${e.list} ${e.hook}${e.region && regions.size > 1 ? ` ${e.region}` : ''}${e.run ? ` ${e.run}` : ''}${attempt > 1 ? ` #${attempt}` : ''}]`;
    return paint(colorOf.get(k) ?? 36, label);
  };
  const annotation = (r: HookResult): string[] => {
    if (!opts.githubActions || !isFailure(r)) return [];
    const why = r.message ?? `${hookTitle(r)} ${r.exitCode !== undefined ? `failed with exit code ${r.exitCode}` : r.status}`;
    const text = [why, ...r.tail.slice(-ANNOTATION_TAIL)].join('\n');
    return [`::error title=${escapeProperty(`porter: ${hookTitle(r)} ${r.status}`)}::${escapeData(text)}\n`];
  };

  return (event) => {
    switch (event.type) {
      case 'phase-start':
        if (!opts.quiet) terminal.write(`porter: ${event.phase}${event.environment ? ` -e ${event.environment}` : ''}\n`);
        return;
      case 'build-progress':
        return terminal.progress(buildKey(event), `${event.list} ${event.hook}`, event.step, event.total);
      case 'build-end':
        return terminal.done(buildKey(event));
      case 'hook-start':
        if (event.region) regions.add(event.region);
        attempts.set(keyOf(event), event.attempt);
        if (opts.quiet) return;
        if (event.attempt === 1) out.open(keyOf(event), hookTitle(event));
        else out.line(keyOf(event), `${prefix(event)} retrying (attempt ${event.attempt})\n`);
        return;
      case 'hook-log': {
        terminal.done(buildKey(event));
        const line = `${prefix(event)} ${event.line}\n`;
        if (!opts.quiet) return out.line(keyOf(event), line);
        const held = quietLines.get(keyOf(event)) ?? [];
        held.push(line);
        if (held.length > QUIET_KEEP) held.shift();
        quietLines.set(keyOf(event), held);
        return;
      }
      case 'hook-end': {
        const r = event.result;
        const k = keyOf(r);
        results.push(r);
        terminal.done(buildKey(r));
        if (!opts.quiet) return out.close(k, annotation(r));
        if (isFailure(r)) {
          out.open(k, hookTitle(r));
          for (const line of quietLines.get(k) ?? []) out.line(k, line);
          out.close(k, annotation(r));
        }
        quietLines.delete(k);
        return;
      }
      case 'message':
        if (event.level === 'warn' && event.stderr && opts.writeErr && !opts.githubActions) return opts.writeErr(`warning: ${event.text}\n`);
        if (event.level === 'warn') return terminal.write(opts.githubActions ? `::warning::${escapeData(event.text)}\n` : `${paint(33, 'warning:')} ${event.text}\n`);
        if (!opts.quiet) terminal.write(`${event.text}\n`);
        return;
      case 'plan':
        return terminal.write(formatPlan(event.plan));
      case 'status':
        return terminal.write(formatStatus(event.service, event.environment, event.regions));
      case 'stack-event':
        if (!opts.quiet) terminal.write(`porter: ${describeEvent(event.event)}: ${event.runs.map((r) => `${r.list} [${r.run}]`).join(', ')}\n`);
        return;
      case 'event-run-end':
        if (!opts.quiet || event.status === 'failed') terminal.write(`porter: [${event.run}] ${event.list} ${paint(event.status === 'passed' ? 32 : 31, event.status)} (${formatDuration(event.durationMs)})\n`);
        return;
      case 'run-end':
        out.flush();
        terminal.finish();
        terminal.write(renderSummary(results, paint));
        return;
      default:
        return;
    }
  };
}
