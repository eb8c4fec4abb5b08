/** How porter names what a stack is made of on the engine. A service name keeps its case in labels and output; Docker names are lower-case. */

/** The environment's network, shared by its stacks in a region: `porter-<service>-<env>`. */
export function networkName(service: string, environment: string): string {
  return `porter-${service.toLowerCase()}-${environment}`;
}

/** A new stack's id: the service version and a base-36 millisecond time, e.g. `3fa2c1d-lx9k2a1b`; shared by every region. */
export function newStackId(version: string, nowMs: number): string {
  return `${version}-${nowMs.toString(36)}`;
}

/** A stack container's name, unique on the engine: `<service>-<stack>-<region>-<container>[-<replica>]`. */
export function stackContainerName(service: string, stackId: string, region: string, container: string, replica: number, replicas: number): string {
  return `${service.toLowerCase()}-${stackId}-${region}-${container}${replicas > 1 ? `-${replica}` : ''}`;
}
