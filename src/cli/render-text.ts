import type { HookResult, PorterEvent } from '../events.js';
import { formatMs } from '../hooks/run-hook.js';

export interface TextRenderOptions {
  write: (text: string) => void;
  color: boolean;
  quiet: boolean;
  githubActions: boolean;
}

const COLORS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const STATUS_COLOR: Record<HookResult['status'], number> = { passed: 32, failed: 31, 'timed-out': 31, cancelled: 33, skipped: 90 };

/** Human output: each hook line as it arrives, prefixed `[list hook region]`, then a summary at run end. */
export function createTextRenderer(opts: TextRenderOptions): (event: PorterEvent) => void {
  const paint = (code: number, text: string): string => (opts.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colorOf = new Map<string, number>();
  const attempts = new Map<string, number>();
  const quietBuffers = new Map<string, string[]>();
  const regions = new Set<string>();
  const results: HookResult[] = [];
  const key = (e: { list: string; hook: string; region?: string }): string => `${e.list}\u0000${e.hook}\u0000${e.region ?? ''}`;
  const prefix = (e: { list: string; hook: string; region?: string }): string => {
    const k = key(e);
    if (!colorOf.has(k)) colorOf.set(k, COLORS[colorOf.size % COLORS.length] ?? 36);
    const attempt = attempts.get(k) ?? 1;
    const label = `[${e.list} ${e.hook}${e.region && regions.size > 1 ? ` ${e.region}` : ''}${attempt > 1 ? ` #${attempt}` : ''}]`;
    return paint(colorOf.get(k) ?? 36, label);
  };

  return (event) => {
    switch (event.type) {
      case 'phase-start':
        if (!opts.quiet) opts.write(`porter: ${event.phase}${event.environment ? ` -e ${event.environment}` : ''}\n`);
        return;
      case 'hook-start':
        if (event.region) regions.add(event.region);
        attempts.set(key(event), event.attempt);
        if (opts.githubActions && event.attempt === 1) opts.write(`::group::${event.list} ${event.hook}${event.region ? ` (${event.region})` : ''}\n`);
        if (event.attempt > 1 && !opts.quiet) opts.write(`${prefix(event)} retrying (attempt ${event.attempt})\n`);
        return;
      case 'hook-log': {
        const line = `${prefix(event)} ${event.line}\n`;
        if (!opts.quiet) return opts.write(line);
        const buf = quietBuffers.get(key(event)) ?? [];
        buf.push(line);
        quietBuffers.set(key(event), buf.slice(-200));
        return;
      }
      case 'hook-end': {
        const r = event.result;
        results.push(r);
        const failed = r.status === 'failed' || r.status === 'timed-out';
        if (opts.quiet && failed) opts.write((quietBuffers.get(key(r)) ?? []).join(''));
        quietBuffers.delete(key(r));
        if (r.status === 'skipped' && !opts.githubActions) return;
        if (opts.githubActions && r.status !== 'skipped') opts.write('::endgroup::\n');
        if (opts.githubActions && failed) opts.write(`::error title=${r.list} ${r.hook}::${escapeCommand(r.message ?? `${r.list} ${r.hook} ${describe(r)}`)}\n`);
        return;
      }
      case 'message':
        opts.write(`${event.level === 'warn' ? paint(33, 'warning: ') : ''}${event.text}\n`);
        return;
      case 'run-end':
        opts.write(renderSummary(results, paint));
        return;
      default:
        return;
    }
  };
}

function describe(r: HookResult): string {
  if (r.status === 'failed' && r.exitCode !== undefined) return `failed with exit code ${r.exitCode}`;
  return r.status;
}

/** GitHub workflow commands end at a newline; `%`, CR and LF are escaped as its docs say. */
function escapeCommand(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The closing table: every hook with its status and duration; a failed hook's reason and last lines under it. */
export function renderSummary(results: readonly HookResult[], paint: (code: number, text: string) => string): string {
  if (results.length === 0) return '';
  const name = (r: HookResult): string => `${r.list} ${r.hook}${r.region ? ` (${r.region})` : ''}`;
  const width = Math.max(...results.map((r) => name(r).length));
  const out = ['', 'Summary:'];
  for (const r of results) {
    const duration = r.status === 'skipped' || r.attempts === 0 ? '' : formatDuration(r.durationMs);
    const extra = [r.exitCode !== undefined && r.status !== 'passed' ? `exit ${r.exitCode}` : '', r.attempts > 1 ? `${r.attempts} attempts` : ''].filter(Boolean).join(', ');
    out.push(`  ${paint(STATUS_COLOR[r.status], r.status.padEnd(9))} ${name(r).padEnd(width)}  ${duration}${extra ? `  (${extra})` : ''}`.trimEnd());
    if (r.status === 'failed' || r.status === 'timed-out') {
      if (r.message) out.push(`      ${r.message}`);
      for (const line of r.tail) out.push(`      | ${line}`);
    }
  }
  const count = (s: HookResult['status']): number => results.filter((r) => r.status === s).length;
  const parts = (['passed', 'failed', 'timed-out', 'skipped', 'cancelled'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`);
  out.push(`  ${parts.join(', ')}`, '');
  return out.join('\n');
}

function formatDuration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatMs(ms);
}
