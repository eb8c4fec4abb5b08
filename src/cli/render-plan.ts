import type { HookConfig, PorterConfig } from '../config/types.js';
import type { PlannedHook, PlannedListRun, RunPlan } from '../events.js';
import type { HookScope } from '../hooks/environment.js';
import { planHookList } from '../hooks/plan.js';
import { redactUrl } from '../git/redact.js';
import { onceKey } from '../phases/run-once.js';

/** One list the command would run, and where. */
export interface PlannedList {
  list: string;
  scopes: readonly HookScope[];
  /** Shown for phase bodies, between the pre_ and post_ lists. */
  note?: string;
}

function plannedHook(h: HookConfig, onceRan: ReadonlySet<string> | undefined): PlannedHook {
  const policy = h.runPolicy !== 'once' ? undefined : !onceRan ? 'once' : onceRan.has(onceKey(h.list, h.id)) ? 'once (already ran)' : 'once (will run)';
  return {
    hook: h.id,
    dockerfile: h.dockerfile,
    ...(h.repo ? { repo: redactUrl(h.repo), ref: h.ref ?? '' } : {}),
    runCondition: h.runCondition,
    ...(policy ? { runPolicy: policy } : {}),
    ...(h.timeoutMs ? { timeoutMs: h.timeoutMs } : {}),
    retries: h.retries,
    environmentKeys: h.environment.map((e) => e.key),
    ...(h.envFile ? { envFile: h.envFile } : {}),
  };
}

/**
 * What a dry run reports, as data (the `plan` event): lists in order, concurrency groups, run
 * conditions, regions, sources with credentials redacted, environment keys — never values. Pure: it
 * reads the loaded config (and `onceRan`, the run-once marks `<list>/<hook>` the caller read), so it builds, clones and runs nothing.
 */
export function describePlan(config: PorterConfig, lists: readonly PlannedList[], onceRan?: ReadonlySet<string>): RunPlan {
  return {
    service: config.serviceName,
    lists: lists.map(({ list, scopes, note }): PlannedListRun => {
      const environment = scopes.find((s) => s.environment)?.environment;
      const regions = scopes.flatMap((s) => (s.region ? [s.region] : []));
      const base = { list, ...(environment ? { environment } : {}), regions };
      if (note) return { ...base, note, steps: [] };
      const steps = planHookList(config.hooks[list] ?? []).map((step) => ({ concurrent: step.concurrent, hooks: step.hooks.map((h) => plannedHook(h, onceRan)) }));
      return { ...base, steps };
    }),
  };
}

const source = (h: PlannedHook): string => (h.repo ? `${h.repo}@${h.ref ?? ''}:${h.dockerfile}` : h.dockerfile);

/** The `--dry-run` text of a plan. */
export function formatPlan(plan: RunPlan): string {
  const out = [`Plan for ${plan.service} (dry run: nothing is built, cloned or run)`];
  for (const { list, environment, regions, note, steps } of plan.lists) {
    if (note) {
      out.push(`${list}: ${note}`);
      continue;
    }
    const where = regions.length ? ` — once per region of ${environment ?? ''}, concurrently: ${regions.join(', ')}` : environment ? ` — environment ${environment}` : '';
    out.push(`${list}${where}`);
    if (steps.length === 0) out.push('  (no hooks)');
    steps.forEach((step, i) => {
      step.hooks.forEach((h, j) => {
        const mark = !step.concurrent ? `${i + 1}.` : j === 0 ? `${i + 1}. ┬` : j === step.hooks.length - 1 ? '   └' : '   ├';
        const extras = [
          `run_condition: ${h.runCondition}`,
          h.runPolicy ? `run_policy: ${h.runPolicy}` : '',
          h.timeoutMs ? `timeout: ${h.timeoutMs / 1000}s` : '',
          h.retries ? `retries: ${h.retries}` : '',
          h.environmentKeys.length ? `environment: ${h.environmentKeys.join(', ')}` : '',
          h.envFile ? `env_file: ${h.envFile}` : '',
        ].filter(Boolean);
        out.push(`  ${mark} ${h.hook}  ${source(h)}`, `       ${extras.join('; ')}`);
      });
      if (step.concurrent) out.push(`       (these ${step.hooks.length} start together; the list waits for all)`);
    });
  }
  return `${out.join('\n')}\n`;
}

/** The `--dry-run` text straight from the config (describePlan then formatPlan). Prefer emitting a `plan` event. */
export function renderPlan(config: PorterConfig, lists: readonly PlannedList[]): string {
  return formatPlan(describePlan(config, lists));
}
