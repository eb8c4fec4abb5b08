import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { HookResult, PorterEvent } from '../events.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** What ended a run early (a PorterError or a bug), shown as an `<error>` testcase. */
export interface RunError {
  exitCode: number;
  message: string;
}

/** XML text and attribute escaping; characters XML 1.0 cannot hold at all are dropped. */
export function xmlEscape(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const isFailure = (r: HookResult): boolean => r.status === 'failed' || r.status === 'timed-out' || r.status === 'cancelled';

function testcase(r: HookResult): string {
  const name = `${r.hook}${r.region ? ` (${r.region})` : ''}${r.run ? ` [${r.run}]` : ''}`;
  const head = `    <testcase classname="${xmlEscape(r.list)}" name="${xmlEscape(name)}" time="${seconds(r.durationMs)}"`;
  if (r.status === 'passed') return `${head}/>`;
  if (r.status === 'skipped') return `${head}>\n      <skipped/>\n    </testcase>`;
  const message = r.message ?? (r.exitCode !== undefined ? `exited with code ${r.exitCode}` : r.status);
  return `${head}>\n      <failure message="${xmlEscape(message)}" type="${r.status}">${xmlEscape(r.tail.join('\n'))}</failure>\n    </testcase>`;
}

/**
 * Renders hook results as JUnit XML: a testsuite per hook list, a testcase per hook run (classname =
 * the list, name = the hook and its region); failed, timed-out and cancelled runs are `<failure>`s
 * carrying the last lines of output, skipped ones `<skipped/>`. An error that ended the run is an
 * `<error>` testcase in a `porter` suite, so a report exists (and says why) however the run ended.
 */
export function renderJUnit(results: readonly HookResult[], errors: readonly RunError[] = []): string {
  const lists = [...new Set(results.map((r) => r.list))];
  const suites = lists.map((list) => {
    const rs = results.filter((r) => r.list === list);
    const attrs = `tests="${rs.length}" failures="${rs.filter(isFailure).length}" errors="0" skipped="${rs.filter((r) => r.status === 'skipped').length}"`;
    return `  <testsuite name="${xmlEscape(list)}" ${attrs} time="${seconds(rs.reduce((t, r) => t + r.durationMs, 0))}">\n${rs.map(testcase).join('\n')}\n  </testsuite>`;
  });
  if (errors.length > 0) {
    const cases = errors.map((e) => `    <testcase classname="porter" name="run" time="0.000">\n      <error message="${xmlEscape(e.message.split('\n')[0] ?? '')}" type="exit ${e.exitCode}">${xmlEscape(e.message)}</error>\n    </testcase>`);
    suites.push(`  <testsuite name="porter" tests="${errors.length}" failures="0" errors="${errors.length}" skipped="0" time="0.000">\n${cases.join('\n')}\n  </testsuite>`);
  }
  const total = `tests="${results.length + errors.length}" failures="${results.filter(isFailure).length}" errors="${errors.length}" skipped="${results.filter((r) => r.status === 'skipped').length}"`;
  const time = seconds(results.reduce((t, r) => t + r.durationMs, 0));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="porter" ${total} time="${time}">\n${suites.map((s) => `${s}\n`).join('')}</testsuites>\n`;
}

/** Collects hook-end and error events, and writes the JUnit file when the run ends, however it ended. */
export function createJUnitCollector(file: string, cwd: string): { emit: (e: PorterEvent) => void; write: () => Promise<void> } {
  const results: HookResult[] = [];
  const errors: RunError[] = [];
  return {
    emit: (e) => {
      if (e.type === 'hook-end') results.push(e.result);
      if (e.type === 'error') errors.push({ exitCode: e.exitCode, message: e.message });
    },
    write: async () => {
      const path = resolve(cwd, file);
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, renderJUnit(results, errors));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        throw new UsageError(`--junit ${file}: cannot write the JUnit report to ${path} (${code}). Name a file in a writable directory.`, { cause: err });
      }
    },
  };
}
