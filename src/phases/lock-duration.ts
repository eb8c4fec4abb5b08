/** `10m`, `1m 30s`: how long, as the lock's waiting lines say it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest ? `${rest}s` : ''].filter(Boolean).join(' ') || '0s';
}
