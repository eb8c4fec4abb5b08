import { open, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, UsageError } from '../errors.js';
import { makeLookup } from './expand.js';
import { parseConfigText } from './parse.js';
import type { PorterConfig } from './types.js';

/** The largest config (and `.env`) porter reads: a real one is a few KiB; anything bigger is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Where the config is when `--config` does not say, relative to the repo. */
export const DEFAULT_CONFIG_PATH = '.porter/config';

/**
 * Reads, expands and validates the service's config: `configPath` (absolute or relative to
 * `repoDir`), default `.porter/config`. Variables come from `env` (the process), then `.env`
 * at the repo root. Rejects with a UsageError when the file cannot be read, a ConfigError when
 * it is invalid (both exit 2). `strict`: the original porter's AWS-only keys are errors too.
 */
export async function loadConfig(opts: { repoDir: string; configPath?: string; env: Record<string, string | undefined>; strict?: boolean }): Promise<PorterConfig> {
  const file = opts.configPath ?? DEFAULT_CONFIG_PATH;
  const full = isAbsolute(file) ? file : resolve(opts.repoDir, file);
  const bytes = await readBounded(full, 'config');
  if (bytes === undefined) {
    const where = opts.configPath ? '' : ` (porter looks for ${DEFAULT_CONFIG_PATH} in the service repo, ${resolve(opts.repoDir)})`;
    throw new UsageError(`No porter config at ${full}${where}. Create it, run porter in the service repo or pass -C DIR, or name the file with --config PATH.`);
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw tooLarge(file);
  const text = decode(bytes, file);
  const dotEnv = await readDotEnv(opts.repoDir);
  return parseConfigText(text, file, opts.repoDir, makeLookup(opts.env, dotEnv), opts.strict ? { strict: true } : {});
}

/** The variables of `.env` at the repo root (dotenv format); none when there is no such file. */
export async function readDotEnv(repoDir: string): Promise<Record<string, string>> {
  const full = join(repoDir, '.env');
  const bytes = await readBounded(full, '.env');
  if (bytes === undefined) return {};
  if (bytes.length > MAX_CONFIG_BYTES) throw tooLarge(full);
  return parseDotenv(bytes);
}

/** Up to MAX_CONFIG_BYTES + 1 bytes of a regular file (a huge file or a device is never read whole); undefined when it does not exist. */
async function readBounded(full: string, what: string): Promise<Buffer | undefined> {
  let handle;
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new UsageError(`The ${what} path ${full} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}; name the file itself.`);
    handle = await open(full, 'r');
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      length += bytesRead;
      if (bytesRead === 0 || length >= buffer.length) return buffer.subarray(0, length);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`Cannot read the ${what} at ${full} (${code ?? String(err)}); check that the file is readable.`, { cause: err });
  } finally {
    await handle?.close();
  }
}

function tooLarge(file: string): ConfigError {
  return new ConfigError([{ file, line: 0, path: '', message: `is larger than 1 MiB, the most porter reads; a real one is a few KiB, so check that this is the right file.` }]);
}

function decode(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ConfigError([{ file, line: 0, path: '', message: 'is not valid UTF-8 text; save it as UTF-8.' }], { cause: err });
  }
}
