/** A plugin checkout ready to build from. */
export interface PluginCheckout {
  /** Directory holding the repo's files at the resolved commit. */
  dir: string;
  commit: string;
}

/** A clone, fetch or ref resolution failed: the hook's failure (exit 1), naming repo and ref. */
export class PluginFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginFetchError';
  }
}

/** Brings a plugin repo to a ref; implementations cache clones and may be shared by concurrent hooks. */
export interface PluginFetcher {
  /** Resolves `repo` at `ref` or throws PluginFetchError. */
  fetch(repo: string, ref: string, signal: AbortSignal): Promise<PluginCheckout>;
}
