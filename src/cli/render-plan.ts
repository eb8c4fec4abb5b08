import type { HookConfig, PorterConfig } from '../config/types.js';
import type { HookScope } from '../hooks/environment.js';
import { planHookList } from '../hooks/plan.js';
import { redactUrl } from '../git/redact.js';

/** One list the command would run, and where. */
export interface PlannedList {
  list: string;
  scopes: readonly HookScope[];
  /** Shown for phase bodies, between the pre_ and post_ lists. */
  note?: string;
}

const source = (h: HookConfig): string => (h.repo ? `${redactUrl(h.repo)}@${h.ref ?? ''}:${h.dockerfile}` : h.dockerfile);

/** The `--dry-run` text: lists, concurrency groups, run conditions, regions, sources and environment keys — never values. */
export function renderPlan(config: PorterConfig, lists: readonly PlannedList[]): string {
  const out = [`Plan for ${config.serviceName} (dry run: nothing is built, cloned or run)`];
  for (const { list, scopes, note } of lists) {
    if (note) {
      out.push(`${list}: ${note}`);
      continue;
    }
    const regions = scopes.filter((s) => s.region).map((s) => s.region);
    out.push(`${list}${regions.length ? ` — once per region of ${scopes[0]?.environment ?? ''}, concurrently: ${regions.join(', ')}` : ''}`);
    const hooks = config.hooks[list] ?? [];
    if (hooks.length === 0) out.push('  (no hooks)');
    planHookList(hooks).forEach((step, i) => {
      step.hooks.forEach((h, j) => {
        const mark = !step.concurrent ? `${i + 1}.` : j === 0 ? `${i + 1}. ┬` : j === step.hooks.length - 1 ? '   └' : '   ├';
        const extras = [
          `run_condition: ${h.runCondition}`,
          h.timeoutMs ? `timeout: ${h.timeoutMs / 1000}s` : '',
          h.retries ? `retries: ${h.retries}` : '',
          h.environment.length ? `environment: ${h.environment.map((e) => e.key).join(', ')}` : '',
          h.envFile ? `env_file: ${h.envFile}` : '',
        ].filter(Boolean);
        out.push(`  ${mark} ${h.id}  ${source(h)}`, `       ${extras.join('; ')}`);
      });
      if (step.concurrent) out.push(`       (these ${step.hooks.length} start together; the list waits for all)`);
    });
  }
  return `${out.join('\n')}\n`;
}
