/** Whether a process with this pid exists on this host: signal 0 probes it, and EPERM means it exists but is another user's. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
