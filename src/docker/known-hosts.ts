/** OpenSSH's `known_hosts`, read as the ssh client does: plain and hashed host names, `[host]:port`, key by key. */
import { createHmac } from 'node:crypto';

export type HostKeyCheck = 'known' | 'unknown' | 'changed';

/** How `known_hosts` names a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [salt, hash] = pattern.slice(3).split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  // Wildcards as OpenSSH has them: `*` and `?`.
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(name);
}

function hostsMatch(field: string, name: string): boolean {
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) matched = true;
  }
  return matched;
}

/**
 * Whether `key` (the server's public key blob) is the one `text` (a known_hosts file) records for the host:
 * `known` when an entry for the host has this key, `changed` when entries for the host exist but none has it (or
 * one revokes it), `unknown` when none names the host.
 */
export function checkHostKey(text: string, hostname: string, port: number, key: Buffer): HostKeyCheck {
  const name = knownHostName(hostname, port);
  const blob = key.toString('base64');
  let seen = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [hosts, , entryKey] = fields;
    if (!hosts || !entryKey || !hostsMatch(hosts, name)) continue;
    if (marker === '@revoked' && entryKey === blob) return 'changed';
    // A certificate authority's key signs host certificates; porter checks plain host keys only.
    if (marker) continue;
    if (entryKey === blob) return 'known';
    seen = true;
  }
  return seen ? 'changed' : 'unknown';
}
