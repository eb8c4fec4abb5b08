import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { journalRun, type FinishedRun, type JournalRun } from './journal-entry.js';

/** Bumped whenever a journal's shape changes: `porter debug` replays only what it can read exactly. */
export const JOURNAL_FORMAT = 1;
/** Journals of this many commands are kept; older ones are removed as a new one is written. */
export const JOURNAL_KEEP = 20;

/** One command's journal: `.porter-tmp/runs/<run id>.json`. */
export interface JournalFile {
  format: number;
  /** The porter version that wrote it. */
  porter: string;
  service: string;
  /** The command line, masked: `build hook -name smoke -e Stage`. */
  command: string;
  runId: string;
  startedAt: string;
  /** PORTER_SERVICE_VERSION of that command: the checkout's commit then. */
  serviceVersion: string;
  runs: JournalRun[];
}

/** Where a workspace's journals are. */
export const journalDir = (tmpDir: string): string => join(tmpDir, 'runs');

/** Only their owner may read them: a hook's environment can hold what is private without being declared secret. */
const PRIVATE = 0o600;

/**
 * The journal of one command's hook runs, written to disk after each run (so an interrupted command leaves what
 * ran). The first write removes all but the newest JOURNAL_KEEP - 1 older journals. Writing is best effort: a
 * journal that cannot be written is one warning, never the command's failure.
 */
export class RunJournal {
  private readonly file: JournalFile;
  private saving: Promise<void> = Promise.resolve();
  private pruned = false;
  private warned = false;

  constructor(
    private readonly dir: string,
    header: Omit<JournalFile, 'format' | 'runs'>,
    private readonly mask: (text: string) => string,
    private readonly warn: (text: string) => void,
  ) {
    this.file = { format: JOURNAL_FORMAT, ...header, command: mask(header.command), runs: [] };
  }

  /** Adds a finished hook run (secret values left out) and saves the journal in the background. */
  record(run: FinishedRun): void {
    this.file.runs.push(journalRun(run, this.mask));
    const snapshot = JSON.stringify(this.file, null, 2);
    this.saving = this.saving.then(() => this.save(snapshot)).catch((err: unknown) => {
      if (this.warned) return;
      this.warned = true;
      this.warn(`cannot write the run journal in ${this.dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}): \`porter debug\` will not know this command's hook runs.`);
    });
  }

  /** Resolves once every recorded run is on disk. */
  flush(): Promise<void> {
    return this.saving;
  }

  private async save(snapshot: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${this.file.runId}.json`);
    await writeFile(`${path}.tmp`, snapshot, { mode: PRIVATE });
    await rename(`${path}.tmp`, path);
    if (this.pruned) return;
    this.pruned = true;
    // Run ids start with the time in base 36, so their names sort oldest first.
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    const old = names.slice(0, Math.max(0, names.length - JOURNAL_KEEP));
    await Promise.all(old.map((n) => rm(join(this.dir, n), { force: true })));
  }
}

/** The journals in `dir`, newest first; a file that is not a journal (cut short, hand-edited) is skipped. */
export async function readJournals(dir: string): Promise<JournalFile[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: JournalFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort().reverse()) {
    try {
      const parsed = JSON.parse(await readFile(join(dir, name), 'utf8')) as Partial<JournalFile> | null;
      if (parsed && typeof parsed.service === 'string' && Array.isArray(parsed.runs)) found.push(parsed as JournalFile);
    } catch {
      // Unreadable: written by something else, or cut short by a full disk. Not a journal to replay.
    }
  }
  return found;
}
