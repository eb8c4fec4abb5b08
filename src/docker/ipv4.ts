/**
 * IPv4 arithmetic for the addresses porter gives stack containers. A porter network's subnet is split in two: the
 * engine hands out the upper half (its IPRange) to whatever connects without asking for an address, and porter
 * pins each stack container to one of the lower half. So an address a stopped container keeps is never handed to
 * another container meanwhile, and it starts again (a restart policy, an operator, an `on: die` hook) at its own.
 */

const toNumber = (ip: string): number | undefined => {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

const toText = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** A subnet as its first address and size; undefined for anything but a valid IPv4 CIDR. */
function parseCidr(cidr: string): { base: number; size: number; prefix: number } | undefined {
  const [ip, bits] = cidr.split('/');
  const base = ip === undefined ? undefined : toNumber(ip);
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size, prefix };
}

/** The upper half of `subnet` as a CIDR (the engine's IPRange); undefined when the subnet is too small to split (a /29 or less). */
export function upperHalf(subnet: string): string | undefined {
  const s = parseCidr(subnet);
  if (!s || s.prefix > 28) return undefined;
  return `${toText(s.base + s.size / 2)}/${s.prefix + 1}`;
}

/**
 * The lowest address of `subnet` porter may pin a container to: not the network's own first or last address, not
 * the gateway, not inside `ipRange` (the engine's), and not in `used`. Undefined when the subnet is not IPv4 or full.
 */
export function pickAddress(net: { subnet: string; ipRange?: string; gateway?: string }, used: ReadonlySet<string>): string | undefined {
  const s = parseCidr(net.subnet);
  if (!s) return undefined;
  const range = net.ipRange ? parseCidr(net.ipRange) : undefined;
  for (let n = s.base + 1; n < s.base + s.size - 1; n++) {
    if (range && n >= range.base && n < range.base + range.size) continue;
    const ip = toText(n);
    if (ip !== net.gateway && !used.has(ip)) return ip;
  }
  return undefined;
}
