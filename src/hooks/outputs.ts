import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ParsedOutputs {
  values: Record<string, string>;
  /** `line N: why` for each line that was not understood. */
  warnings: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a `$PORTER_OUTPUT` file as GitHub Actions does: `KEY=value` (the value is everything after the
 * first `=`), or `KEY<<DELIM`, the value's lines, then a line that is exactly `DELIM`.
 */
export function parseOutputFile(text: string): ParsedOutputs {
  const values: Record<string, string> = {};
  const warnings: string[] = [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc && KEY.test(heredoc[1] ?? '')) {
      const [key, delim] = [heredoc[1] ?? '', heredoc[2] ?? ''];
      const end = lines.indexOf(delim, i + 1);
      if (end < 0) {
        warnings.push(`line ${i + 1}: ${key}<<${delim} has no closing ${delim} line; ignored`);
        break;
      }
      values[key] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!KEY.test(key)) {
      warnings.push(`line ${i + 1}: expected KEY=value or KEY<<DELIMITER; ignored`);
      continue;
    }
    values[key] = line.slice(eq + 1);
  }
  return { values, warnings };
}

type Stored = Record<string, Record<string, string>>;

/**
 * Hook outputs of this workspace, per region ('' when none), kept in `.porter-tmp/outputs.json` so later
 * commands see them until the next `build pack` or `build clean`.
 */
export class OutputStore {
  private data: Stored = {};
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  /** Opens the store, reading what earlier commands left; a missing or unreadable file is an empty store. */
  static async open(file: string): Promise<OutputStore> {
    const store = new OutputStore(file);
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (parsed && typeof parsed === 'object') store.data = parsed as Stored;
    } catch {
      store.data = {};
    }
    return store;
  }

  /** The value a `KEY:` entry resolves to: this region's outputs first, then those recorded without a region. */
  get(key: string, region: string | undefined): string | undefined {
    return this.data[region ?? '']?.[key] ?? (region ? this.data['']?.[key] : undefined);
  }

  /** Records a hook's outputs and persists them (writes are serialised and atomic). */
  async record(region: string | undefined, values: Record<string, string>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    const slot = (this.data[region ?? ''] ??= {});
    Object.assign(slot, values);
    const snapshot = JSON.stringify(this.data, null, 2);
    this.saving = this.saving.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(`${this.file}.tmp`, snapshot);
      await rename(`${this.file}.tmp`, this.file);
    });
    await this.saving;
  }

  /** Forgets every output (a new pipeline starts at `build pack`). */
  async reset(): Promise<void> {
    this.data = {};
    await this.saving;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, '{}');
  }
}
