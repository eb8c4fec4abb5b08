import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { HookResult, PorterEvent } from '../events.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** XML text and attribute escaping; characters XML 1.0 cannot hold at all are dropped. */
export function xmlEscape(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Renders hook results as JUnit XML: a testsuite per hook list, a testcase per hook run. */
export function renderJUnit(results: readonly HookResult[]): string {
  const lists = [...new Set(results.map((r) => r.list))];
  const suites = lists.map((list) => {
    const rs = results.filter((r) => r.list === list);
    const failures = rs.filter((r) => r.status === 'failed' || r.status === 'timed-out' || r.status === 'cancelled').length;
    const skipped = rs.filter((r) => r.status === 'skipped').length;
    const time = rs.reduce((t, r) => t + r.durationMs, 0) / 1000;
    const cases = rs.map((r) => {
      const name = `${r.hook}${r.region ? ` (${r.region})` : ''}`;
      const head = `    <testcase classname="${xmlEscape(list)}" name="${xmlEscape(name)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
      if (r.status === 'passed') return `${head}/>`;
      if (r.status === 'skipped') return `${head}>\n      <skipped/>\n    </testcase>`;
      const message = r.message ?? (r.exitCode !== undefined ? `exited with code ${r.exitCode}` : r.status);
      return `${head}>\n      <failure message="${xmlEscape(message)}" type="${r.status}">${xmlEscape(r.tail.join('\n'))}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xmlEscape(list)}" tests="${rs.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="porter">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Collects hook-end events and writes the JUnit file when the run ends. */
export function createJUnitCollector(file: string, cwd: string): { emit: (e: PorterEvent) => void; write: () => Promise<void> } {
  const results: HookResult[] = [];
  return {
    emit: (e) => {
      if (e.type === 'hook-end') results.push(e.result);
    },
    write: async () => {
      const path = resolve(cwd, file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, renderJUnit(results));
    },
  };
}
