/** The build context as the engine receives it (a tar) and as porter remembers it (a hash of its inputs). */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type tar from 'tar-fs';
import { listContextFiles, normalizeDockerfile, type ContextEntry } from './context-files.js';

/**
 * A tar stream of exactly the files `listContextFiles` returns, with owner 0:0 (as the docker CLI sends it)
 * and modes as they are on disk (no umask); `onHeader` sees each entry's header as it is packed. Destroy it to stop reading files.
 */
export async function packContext(
  contextDir: string, dockerfile: string, onHeader?: (header: tar.Headers) => void,
): Promise<Readable> {
  const entries = await listContextFiles(contextDir, dockerfile);
  // Loaded here, not at start-up: a run whose hook images are all cached never packs a context.
  const { pack } = (await import('tar-fs')).default;
  // `umask` is a tar-fs 3 option its typings lack; without it the process umask would change the modes sent.
  const options: tar.PackOptions & { umask: number } = {
    entries: entries.map((e) => e.path),
    // Entries already list every path to send; stop tar-fs from walking directories again.
    ignore: () => true,
    umask: 0,
    map: (header) => {
      onHeader?.(header);
      return { ...header, uid: 0, gid: 0, uname: '', gname: '' };
    },
  };
  // tar-fs 3 returns a streamx stream, not a Node Readable; wrap it so callers get the stream API they expect.
  return Readable.from(pack(contextDir, options), { objectMode: false });
}

function field(hash: Hash, value: string | number): void {
  hash.update(String(value));
  hash.update('\0');
}

async function hashFile(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

async function hashEntry(hash: Hash, contextDir: string, entry: ContextEntry): Promise<void> {
  field(hash, entry.type);
  field(hash, entry.path);
  field(hash, entry.mode.toString(8));
  if (entry.type === 'symlink') field(hash, entry.linkTarget ?? '');
  if (entry.type !== 'file') return;
  field(hash, entry.size);
  await hashFile(hash, join(contextDir, entry.path));
  hash.update('\0');
}

/**
 * sha256 (hex) over what a build would use: the Dockerfile's name, the build args, and the sorted paths, modes,
 * symlink targets and contents of exactly the files that would be sent. Equal hashes mean the build can be skipped.
 */
export async function hashContext(contextDir: string, dockerfile: string, buildArgs: Record<string, string>): Promise<string> {
  const hash = createHash('sha256');
  field(hash, 'porter-context-v1');
  field(hash, normalizeDockerfile(dockerfile));
  for (const key of Object.keys(buildArgs).sort()) {
    field(hash, `arg:${key}`);
    field(hash, buildArgs[key] ?? '');
  }
  for (const entry of await listContextFiles(contextDir, dockerfile)) await hashEntry(hash, contextDir, entry);
  return hash.digest('hex');
}
