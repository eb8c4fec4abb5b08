import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
type SecretKeys = Record<string, string[]>;

/** Only their owner may read them: an output can hold what a hook was given as a secret. */
const PRIVATE = 0o600;

async function readJson<T extends object>(file: string, empty: T): Promise<T> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as T) : empty;
  } catch {
    return empty;
  }
}

/**
 * Hook outputs of this workspace, per region ('' when none), kept in `.porter-tmp/outputs.json` so later
 * commands see them until the next `build pack` or `build clean`. Which outputs held a secret value is kept
 * beside them (`outputs.secret.json`, keys only), so a later command masks them even without the secret.
 */
export class OutputStore {
  private data: Stored = {};
  private secretKeys: SecretKeys = {};
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  private get secretFile(): string {
    return this.file.replace(/(\.json)?$/, '.secret.json');
  }

  /** Opens the store, reading what earlier commands left; a missing or unreadable file is an empty store. */
  static async open(file: string): Promise<OutputStore> {
    const store = new OutputStore(file);
    store.data = await readJson<Stored>(file, {});
    store.secretKeys = await readJson<SecretKeys>(store.secretFile, {});
    return store;
  }

  /** The values of every output that held a secret when a hook wrote it (to be masked like the secret). */
  secretValues(): string[] {
    return Object.entries(this.secretKeys).flatMap(([region, keys]) => (Array.isArray(keys) ? keys : []).map((k) => this.data[region]?.[k])).filter((v): v is string => typeof v === 'string');
  }

  /** The value a `KEY:` entry resolves to: this region's outputs first, then those recorded without a region. */
  get(key: string, region: string | undefined): string | undefined {
    return this.data[region ?? '']?.[key] ?? (region ? this.data['']?.[key] : undefined);
  }

  /** Records a hook's outputs (`secret`: the keys whose value held a secret) and persists them (writes are serialised and atomic). */
  async record(region: string | undefined, values: Record<string, string>, secret: readonly string[] = []): Promise<void> {
    if (Object.keys(values).length === 0) return;
    const slot = (this.data[region ?? ''] ??= {});
    Object.assign(slot, values);
    const marked = new Set([...(this.secretKeys[region ?? ''] ?? []).filter((k) => !(k in values)), ...secret]);
    if (marked.size > 0) this.secretKeys[region ?? ''] = [...marked];
    else delete this.secretKeys[region ?? ''];
    const snapshot = JSON.stringify(this.data, null, 2);
    const secretSnapshot = Object.keys(this.secretKeys).length > 0 ? JSON.stringify(this.secretKeys) : undefined;
    this.saving = this.saving.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(`${this.file}.tmp`, snapshot, { mode: PRIVATE });
      await rename(`${this.file}.tmp`, this.file);
      if (secretSnapshot) await writeFile(this.secretFile, secretSnapshot, { mode: PRIVATE });
      else await rm(this.secretFile, { force: true });
    });
    await this.saving;
  }

  /** Forgets every output (a new pipeline starts at `build pack`). */
  async reset(): Promise<void> {
    this.data = {};
    this.secretKeys = {};
    await this.saving;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, '{}', { mode: PRIVATE });
    await rm(this.secretFile, { force: true });
  }
}
