/**
 * The original porter's CIS defaults for a deployed container, in the engine's words: as a container's HostConfig
 * and User, and as a Swarm task's ContainerSpec. Pure; the dockerode adapters spread these into their requests.
 */
import type { Hardening } from './engine.js';

/** Where a read-only container may still write: a tmpfs, world-writable with the sticky bit, as /tmp is. */
export const TMPFS_PATH = '/tmp';
const TMPFS_MODE = 0o1777;

/** Config and HostConfig fields of a container create. */
export function containerHardening(h: Hardening): { User: string; HostConfig: Record<string, unknown> } {
  return {
    User: h.user,
    HostConfig: {
      ReadonlyRootfs: h.readOnly,
      ...(h.readOnly ? { Tmpfs: { [TMPFS_PATH]: `rw,mode=${TMPFS_MODE.toString(8)}` } } : {}),
      PidsLimit: h.pidsLimit,
      SecurityOpt: ['no-new-privileges:true'],
      CapDrop: ['ALL'],
      CapAdd: h.capAdd,
    },
  };
}

/**
 * ContainerSpec fields of a Swarm service (CapabilityAdd/Drop need API 1.41, Docker 20.10). Resources.Limits.Pids
 * (API 1.41) lives in the TaskTemplate, so it is returned apart.
 */
export function serviceHardening(h: Hardening): { containerSpec: Record<string, unknown>; pidsLimit: number } {
  return {
    containerSpec: {
      User: h.user,
      ReadOnly: h.readOnly,
      ...(h.readOnly ? { Mounts: [{ Type: 'tmpfs', Target: TMPFS_PATH, TmpfsOptions: { Mode: TMPFS_MODE } }] } : {}),
      Privileges: { NoNewPrivileges: true },
      CapabilityDrop: ['ALL'],
      CapabilityAdd: h.capAdd,
    },
    pidsLimit: h.pidsLimit,
  };
}
