/** The DockerEngine port's volumes: where the repo's copy lives on an engine that cannot see porter's checkout. */
import type { Readable } from 'node:stream';

export interface VolumeMount {
  name: string;
  target: string;
  readOnly: boolean;
}

/** A volume's files through a container created from `image` (one the engine has), never started, labelled `labels`. */
export interface VolumeFilesRequest {
  volume: string;
  image: string;
  labels: Record<string, string>;
}

/** What the port does with volumes (part of DockerEngine). */
export interface VolumeOperations {
  /** Creates a named volume. */
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Volumes carrying every one of these labels. */
  listVolumes(labels: Record<string, string>): Promise<{ name: string; labels: Record<string, string> }[]>;
  /** Removes a volume; gone already is fine. */
  removeVolume(name: string): Promise<void>;
  /** Extracts the tar `tar` at the volume's root, through the archive API (nothing runs, nothing is pulled). */
  writeVolume(req: VolumeFilesRequest, tar: Readable, signal: AbortSignal): Promise<void>;
  /**
   * Extracts `tar` at `/` of one container mounting each of `volumes` at `/<name>`: an entry `<name>/…` lands in that
   * volume, and the entry `<name>` itself sets the mode and mtime of the volume's root (nothing runs, nothing is pulled).
   */
  writeVolumes(req: { volumes: string[]; image: string; labels: Record<string, string> }, tar: Readable, signal: AbortSignal): Promise<void>;
  /** The volume's content as a tar (each entry under one top directory), handed to `sink`; the stream ends with it. */
  readVolume(req: VolumeFilesRequest, sink: (tar: Readable) => Promise<void>, signal: AbortSignal): Promise<void>;
  /** True when the engine finds `file` in `dir` through a bind mount of `dir`: it shares porter's file system there. */
  seesPath(req: { dir: string; file: string; image: string; labels: Record<string, string> }, signal: AbortSignal): Promise<boolean>;
}
