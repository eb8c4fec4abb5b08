/**
 * The address a stack container keeps on its network, over dockerode (part of the adapter: it only sees the client
 * dockerode-engine.ts creates). See ipv4.ts for the split of a porter network's subnet.
 */
import type Dockerode from 'dockerode';
import { answerMessage, answerStatus } from './engine-answer.js';
import { pickAddress } from './ipv4.js';

/**
 * A free address of `network` for porter to pin a container to: outside the engine's IPRange, and neither held nor
 * kept (a stopped container's pinned one) by any container on it, nor in `avoid`. Undefined when the network has no
 * IPv4 subnet of its own to pick from: the engine then chooses, as before.
 */
export async function freeAddress(d: Dockerode, network: string, avoid: ReadonlySet<string>): Promise<string | undefined> {
  const info = await d.getNetwork(network).inspect();
  const ipam = (info.IPAM?.Config ?? [])[0] as { Subnet?: string; IPRange?: string; Gateway?: string } | undefined;
  if (!ipam?.Subnet) return undefined;
  const used = new Set(avoid);
  for (const endpoint of Object.values(info.Containers ?? {}) as { IPv4Address?: string }[]) {
    if (endpoint.IPv4Address) used.add(endpoint.IPv4Address.split('/')[0] ?? '');
  }
  // Stopped containers too: they hold no address now, but the one they were pinned to is theirs when they start.
  const members = await d.listContainers({ all: true, filters: { network: [network] } });
  for (const c of members) {
    const endpoint = c.NetworkSettings?.Networks?.[network] as { IPAddress?: string; IPAMConfig?: { IPv4Address?: string } | null } | undefined;
    if (endpoint?.IPAddress) used.add(endpoint.IPAddress);
    if (endpoint?.IPAMConfig?.IPv4Address) used.add(endpoint.IPAMConfig.IPv4Address);
  }
  return pickAddress({ subnet: ipam.Subnet, ...(ipam.IPRange ? { ipRange: ipam.IPRange } : {}), ...(ipam.Gateway ? { gateway: ipam.Gateway } : {}) }, used);
}

/** The engine refused a pinned address another container took meanwhile (403 "Address already in use"). */
export function isAddressTaken(err: unknown): boolean {
  return answerStatus(err) === 403 && /^address already in use$/i.test(answerMessage(err));
}

/** The network's subnet was chosen by the engine, so no address can be asked for: start the container unpinned. */
export function isPinningRefused(err: unknown): boolean {
  return /user specified IP address is supported only/i.test(answerMessage(err));
}
