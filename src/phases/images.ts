import type { ContainerConfig, PorterConfig } from '../config/types.js';
import { UsageError } from '../errors.js';

/** One image `build pack` makes: a container of the config, whatever regions name it. */
export interface ImageSpec {
  container: string;
  dockerfile: string;
  dockerfileBuild?: string;
  tag: string;
  /** An inet container without `inet_port`: its port is the image's single EXPOSE, found at pack. */
  needsPort: boolean;
  validateBuildArgs: boolean;
}

/** The tag a container's image gets: `<service>-<container>:<version>`. */
export function imageTag(service: string, container: string, version: string): string {
  return `${service.toLowerCase()}-${container}:${version}`;
}

/**
 * Every distinct container image of the config, in the order first named. One container name is one image:
 * two regions that give the same name different Dockerfiles are a usage error (exit 2), naming both.
 */
export function packedImages(config: PorterConfig, version: string): ImageSpec[] {
  const seen = new Map<string, { spec: ImageSpec; where: string }>();
  for (const env of config.environments) {
    for (const region of env.regions) {
      for (const c of region.containers) {
        const where = `${env.name}/${region.name} (line ${c.line})`;
        const spec = specOf(config.serviceName, c, version);
        const first = seen.get(c.name);
        if (first) {
          first.spec.needsPort ||= spec.needsPort;
          first.spec.validateBuildArgs ||= spec.validateBuildArgs;
        }
        if (!first) {
          seen.set(c.name, { spec, where });
          continue;
        }
        if (first.spec.dockerfile !== spec.dockerfile || first.spec.dockerfileBuild !== spec.dockerfileBuild) {
          throw new UsageError(`${config.file}: container "${c.name}" is built from ${describe(first.spec)} in ${first.where} but from ${describe(spec)} in ${where}. One container name is one image (${imageTag(config.serviceName, c.name, version)}): give them the same dockerfile, or different names.`);
        }
      }
    }
  }
  return [...seen.values()].map((s) => s.spec);
}

function specOf(service: string, c: ContainerConfig, version: string): ImageSpec {
  return {
    container: c.name, dockerfile: c.dockerfile, ...(c.dockerfileBuild ? { dockerfileBuild: c.dockerfileBuild } : {}), tag: imageTag(service, c.name, version),
    needsPort: c.topology === 'inet' && c.inetPort === undefined, validateBuildArgs: c.validateBuildArgsExist,
  };
}

function describe(spec: ImageSpec): string {
  return spec.dockerfileBuild ? `${spec.dockerfile} (builder ${spec.dockerfileBuild})` : spec.dockerfile;
}
