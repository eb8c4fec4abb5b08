import type { PorterConfig, SlackWebhook } from '../config/types.js';
import type { EmitEvent, PorterEvent } from '../events.js';

/** How long one webhook POST may take: Slack answers in well under a second; a hung endpoint must not hold the pipeline. */
export const SLACK_TIMEOUT_MS = 5000;

/** What a phase result posts, for the phases the original notified (pack, provision, promote). */
export interface PhaseNotice {
  service: string;
  version: string;
  phase: string;
  environment?: string;
  status: 'passed' | 'failed';
  /** The hooks that failed or timed out during the phase, as `list name`. */
  failedHooks: string[];
}

/** The message text: service, version, phase, environment where there is one, result, and the failed hooks' names. */
export function slackText(n: PhaseNotice): string {
  const where = n.environment ? ` in ${n.environment}` : '';
  const head = `porter: ${n.phase} of ${n.service} ${n.version}${where} ${n.status === 'passed' ? 'succeeded' : 'failed'}`;
  if (n.status === 'passed') return `${head}.`;
  return n.failedHooks.length > 0 ? `${head}: failed hook${n.failedHooks.length > 1 ? 's' : ''} ${n.failedHooks.join(', ')}.` : `${head} (no hook failed: the ${n.phase} itself did).`;
}

/** The `slack:` key a phase result posts to, or undefined for phases the original never notified (prune). */
export function webhookFor(phase: string, status: 'passed' | 'failed'): SlackWebhook | undefined {
  if (phase !== 'pack' && phase !== 'provision' && phase !== 'promote') return undefined;
  return `${phase}_${status === 'passed' ? 'success' : 'failure'}_webhook_url`;
}

/**
 * Watches a command's events and, when a phase ends, POSTs `{"text": …}` to the matching `slack:` URL. A webhook
 * that fails or times out is a warning (never naming the URL, a secret), never the phase's result. `settle()`
 * waits for the posts in flight, so the command exits after them. An interrupted command (`signal`) posts nothing
 * more and stops waiting, so Ctrl-C still exits within seconds.
 */
export function slackNotifier(
  config: PorterConfig, version: () => string, emit: EmitEvent, signal: AbortSignal, timeoutMs = SLACK_TIMEOUT_MS,
): { observe(event: PorterEvent): void; settle(): Promise<void> } {
  const failed: string[] = [];
  const pending: Promise<void>[] = [];
  const post = async (key: SlackWebhook, text: string): Promise<void> => {
    const url = config.slack?.[key];
    if (!url) return;
    try {
      const answer = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]),
      });
      await answer.arrayBuffer().catch(() => undefined);
      if (!answer.ok) throw new Error(`it answered HTTP ${answer.status}`);
    } catch (err) {
      if (signal.aborted) return;
      const why = err instanceof Error && err.name === 'TimeoutError' ? `it did not answer within ${timeoutMs / 1000}s` : err instanceof Error && err.message.startsWith('it answered') ? err.message : 'it could not be reached';
      emit({ type: 'message', level: 'warn', text: `The Slack webhook slack.${key} was not notified: ${why}. The phase's result stands; check the URL in ${config.file}.` });
    }
  };
  return {
    observe(event) {
      if (event.type === 'phase-start') failed.length = 0;
      if (event.type === 'hook-end' && (event.result.status === 'failed' || event.result.status === 'timed-out')) {
        failed.push(`${event.result.list} ${event.result.hook}${event.result.region ? ` (${event.result.region})` : ''}`);
      }
      if (event.type !== 'phase-end' || signal.aborted) return;
      const key = webhookFor(event.phase, event.status);
      if (!key || !config.slack?.[key]) return;
      const text = slackText({
        service: config.serviceName, version: version(), phase: event.phase, status: event.status, failedHooks: [...failed],
        ...(event.environment ? { environment: event.environment } : {}),
      });
      pending.push(post(key, text));
    },
    async settle() {
      await Promise.all(pending);
    },
  };
}
