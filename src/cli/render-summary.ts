import type { HookResult } from '../events.js';

/** Paints text with an SGR colour code, or returns it as is when colour is off. */
export type Paint = (code: number, text: string) => string;

const STATUS_COLOR: Record<HookResult['status'], number> = { passed: 32, failed: 31, 'timed-out': 31, cancelled: 33, skipped: 90 };

/** `list hook (region) [run]`: how a hook run is named in the summary, GitHub annotations and JUnit. */
export function hookTitle(r: { list: string; hook: string; region?: string; run?: string }): string {
  return `${r.list} ${r.hook}${r.region ? ` (${r.region})` : ''}${r.run ? ` [${r.run}]` : ''}`;
}

/** The closing table: every hook with its status and duration; a failed hook's reason and last lines under it. */
export function renderSummary(results: readonly HookResult[], paint: Paint): string {
  if (results.length === 0) return '';
  const width = Math.max(...results.map((r) => hookTitle(r).length));
  const out = ['', 'Summary:'];
  for (const r of results) {
    const duration = r.status === 'skipped' || r.attempts === 0 ? '' : formatDuration(r.durationMs);
    const extra = [r.exitCode !== undefined && r.status !== 'passed' ? `exit ${r.exitCode}` : '', r.attempts > 1 ? `${r.attempts} attempts` : ''].filter(Boolean).join(', ');
    out.push(`  ${paint(STATUS_COLOR[r.status], r.status.padEnd(9))} ${hookTitle(r).padEnd(width)}  ${duration}${extra ? `  (${extra})` : ''}`.trimEnd());
    if (r.status === 'failed' || r.status === 'timed-out') {
      if (r.message) out.push(`      ${r.message}`);
      for (const line of r.tail) out.push(`      | ${line}`);
    } else if (r.status === 'skipped' && r.message) {
      out.push(`      ${r.message}`);
    }
  }
  const count = (s: HookResult['status']): number => results.filter((r) => r.status === s).length;
  const parts = (['passed', 'failed', 'timed-out', 'skipped', 'cancelled'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`);
  out.push(`  ${parts.join(', ')}`, '');
  return out.join('\n');
}

/** `0.4s`, `12s`, `2m5s`: tenths while they matter, whole seconds after. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}
