import type { RegionStatus } from '../events.js';

/** The text of `porter build status`: a table of stacks per region, then its last promotions. */
export function formatStatus(service: string, environment: string, regions: readonly RegionStatus[]): string {
  const out = [`${service} in ${environment}`];
  for (const r of regions) {
    out.push('', `region ${r.region}${r.orchestrator === 'swarm' ? ' (swarm)' : ''}:`);
    if (r.stacks.length === 0) out.push('  no stacks');
    const rows = r.stacks.map((s) => [s.promoted ? '*' : ' ', s.id, s.version, `${formatAge(s.ageMs)} ago`, s.reason ? `${s.health} (${s.reason})` : s.health, s.url ?? '-']);
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0), ['', 'STACK', 'VERSION', 'AGE', 'HEALTH'][i]?.length ?? 0));
    const line = (cells: string[]): string => `  ${cells.map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`.trimEnd();
    if (rows.length) out.push(line(['', 'STACK', 'VERSION', 'AGE', 'HEALTH', 'URL']), ...rows.map(line));
    if (r.promotions.length) {
      out.push('  promotions, newest first:');
      for (const p of r.promotions) out.push(`    ${p.at}  ${p.by === 'rollback' ? 'rollback to' : 'promote'} ${p.stack}${p.previous ? ` (was ${p.previous})` : ''}`);
    }
  }
  out.push('', '* promoted: holds the alias clients reach');
  return `${out.join('\n')}\n`;
}

/** `45s`, `12m`, `3h5m`, `2d4h`: an age at a glance. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) || ''}${s % 3600 >= 60 ? 'm' : ''}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) || ''}${s % 86_400 >= 3600 ? 'h' : ''}`;
}
