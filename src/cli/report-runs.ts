/** The run report's model: hook runs, phases and messages, built from the `--log-format json` events and bounded in size. */
import type { JsonEvent } from './json-events.js';
import { RunLines, type LineBudget } from './report-lines.js';

export type RunStatus = 'passed' | 'failed' | 'skipped' | 'timed-out' | 'cancelled' | 'running';

/** One hook run (or one step of a phase body): a row of the timeline and an entry of the details. */
export interface ReportRun {
  id: number;
  /** The section it belongs to (`porter watch`: one per event run); undefined for an ordinary command. */
  section?: string;
  list: string;
  hook: string;
  region?: string;
  /** When each attempt started (ms since the epoch); empty for a hook that never started (skipped). */
  starts: number[];
  /** When its image build ended, if that happened during its first attempt. */
  buildEnd?: number;
  /** When it ended; undefined while it runs (the report of an interrupted porter still shows it). */
  end?: number;
  status: RunStatus;
  exitCode?: number;
  attempts: number;
  durationMs?: number;
  stage?: string;
  message?: string;
  outputs?: Record<string, string>;
  lines: RunLines;
}

export interface ReportPhase {
  section?: string;
  phase: string;
  environment?: string;
  start: number;
  end?: number;
  status?: string;
}

export interface ReportMessage {
  time: number;
  level: string;
  text: string;
}

export interface ReportError {
  exitCode: number;
  /** A config error's message lists every problem with its file and line. */
  message: string;
}

/** Everything the page shows. */
export interface ReportModel {
  runs: ReportRun[];
  phases: ReportPhase[];
  messages: ReportMessage[];
  /** How many messages were left out (more than MAX_MESSAGES). */
  messagesOmitted: number;
  errors: ReportError[];
  started?: number;
  lastTime?: number;
}

/** The section of an event: `porter watch` passes one reading its event-run key; an ordinary command has one section. */
export type SectionOf = (event: JsonEvent) => string | undefined;

const MAX_MESSAGES = 500;

const str = (e: JsonEvent, key: string): string | undefined => (typeof e[key] === 'string' ? (e[key] as string) : undefined);
const num = (e: JsonEvent, key: string): number | undefined => (typeof e[key] === 'number' ? (e[key] as number) : undefined);

/**
 * Folds JSON events (as `--log-format json` prints them, `time` included) into the report's model. A hook-log
 * line goes to the run of its list, hook and region that is still going; a hook-end without a start (a
 * skipped hook) is a run of its own. Output lines are capped per run and in total by `budget`.
 */
export function createReportModel(budget: LineBudget, sectionOf: SectionOf = () => undefined): { model: ReportModel; add(event: JsonEvent): void } {
  const model: ReportModel = { runs: [], phases: [], messages: [], messagesOmitted: 0, errors: [] };
  const open = new Map<string, ReportRun>();
  const lastBuild = new Map<string, number>();

  const keyOf = (e: JsonEvent): string => JSON.stringify([sectionOf(e) ?? '', str(e, 'list'), str(e, 'hook'), str(e, 'region') ?? '']);
  const newRun = (e: JsonEvent): ReportRun => {
    const section = sectionOf(e);
    const region = str(e, 'region');
    const run: ReportRun = {
      id: model.runs.length, ...(section !== undefined ? { section } : {}), list: str(e, 'list') ?? '', hook: str(e, 'hook') ?? '',
      ...(region !== undefined ? { region } : {}), starts: [], status: 'running', attempts: 0, lines: new RunLines(budget),
    };
    model.runs.push(run);
    return run;
  };

  const add = (e: JsonEvent): void => {
    const time = Date.parse(e.time);
    model.started ??= time;
    model.lastTime = time;
    switch (e.type) {
      case 'phase-start': {
        const section = sectionOf(e);
        const environment = str(e, 'environment');
        model.phases.push({ ...(section !== undefined ? { section } : {}), phase: str(e, 'phase') ?? '', ...(environment ? { environment } : {}), start: time });
        return;
      }
      case 'phase-end': {
        const phase = [...model.phases].reverse().find((p) => p.phase === e.phase && p.end === undefined && p.section === sectionOf(e));
        if (phase) Object.assign(phase, { end: time, status: str(e, 'status') });
        return;
      }
      case 'hook-start': {
        const key = keyOf(e);
        const attempt = num(e, 'attempt') ?? 1;
        let run = open.get(key);
        if (!run || attempt === 1) {
          run = newRun(e);
          open.set(key, run);
        } else {
          run.lines.note(`attempt ${attempt}`);
        }
        run.starts.push(time);
        run.attempts = attempt;
        return;
      }
      case 'build-end':
        lastBuild.set(JSON.stringify([str(e, 'list'), str(e, 'hook')]), time);
        return;
      case 'hook-log':
        open.get(keyOf(e))?.lines.push(str(e, 'line') ?? '', e.stream === 'stderr');
        return;
      case 'hook-end': {
        const key = keyOf(e);
        const run = open.get(key) ?? newRun(e);
        open.delete(key);
        const built = lastBuild.get(JSON.stringify([run.list, run.hook]));
        const first = run.starts[0];
        if (built !== undefined && first !== undefined && built > first && built <= (run.starts[1] ?? time)) run.buildEnd = built;
        const outputs = e.outputs && typeof e.outputs === 'object' ? (e.outputs as Record<string, string>) : undefined;
        const exitCode = num(e, 'exitCode');
        const stage = str(e, 'stage');
        const message = str(e, 'message');
        Object.assign(run, {
          end: time, status: (str(e, 'status') ?? 'failed') as RunStatus, attempts: num(e, 'attempts') ?? run.attempts, durationMs: num(e, 'durationMs'),
          ...(exitCode !== undefined ? { exitCode } : {}), ...(stage ? { stage } : {}), ...(message ? { message } : {}), ...(outputs ? { outputs } : {}),
        });
        run.lines.finish(run.status === 'passed' || run.status === 'skipped');
        return;
      }
      case 'message':
        if (model.messages.length >= MAX_MESSAGES) model.messagesOmitted += 1;
        else model.messages.push({ time, level: str(e, 'level') ?? 'info', text: str(e, 'text') ?? '' });
        return;
      case 'error':
        model.errors.push({ exitCode: num(e, 'exitCode') ?? 1, message: str(e, 'message') ?? '' });
        return;
      default:
        return;
    }
  };
  return { model, add };
}
