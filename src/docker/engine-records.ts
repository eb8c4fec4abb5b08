/** What porter keeps in an engine besides stacks: records (history, run-once) and environment locks (re-exported by engine.ts). */

/** A held environment lock as the engine keeps it (docker/dockerode-lock.ts): its container, holder labels and note. */
export interface LockState {
  id: string;
  labels: Record<string, string>;
  /** The holder's latest note (its heartbeat and intent, JSON); empty when it has written none yet. */
  note: string;
}

/** A fact porter keeps in the engine (a labelled volume): found by its labels from any machine that reaches the engine. */
export interface EngineRecord {
  name: string;
  labels: Record<string, string>;
}
