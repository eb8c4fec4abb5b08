import { readlinkSync } from 'node:fs';

/** Whether a process with this pid exists on this host: signal 0 probes it, and EPERM means it exists but is another user's. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's pid namespace (`pid:[4026531836]`): processes in different containers can share a hostname but never see each other's pids. Empty where there is no /proc. */
export function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}
