import type { PorterEvent } from '../events.js';
import { describeEvent } from './describe-event.js';
import type { SectionOf } from './report-runs.js';

/**
 * `porter watch`'s HTML report: a section per event run, from the `run` key its hook events carry, titled with the
 * key, its list and its event (`e3 · on-crash · web-1 exited with code 137 (stack …, region local)`). `note` sees each
 * event before the report does: a stack-event names its runs before any of their hooks start.
 */
export function eventRunSections(): { sectionOf: SectionOf; note(event: PorterEvent): void } {
  const titles = new Map<string, string>();
  return {
    note: (event) => {
      if (event.type !== 'stack-event') return;
      for (const r of event.runs) titles.set(r.run, `${r.run} · ${r.list} · ${describeEvent(event.event)}`);
    },
    sectionOf: (e) => (typeof e.run === 'string' ? titles.get(e.run) ?? e.run : undefined),
  };
}
