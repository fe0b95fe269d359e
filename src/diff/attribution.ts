import { Color, Fleet } from './types';

/**
 * Blue/green attribution by construct path (docs/contracts.md): a segment `Blue` or `Green`
 * directly below a BlueGreenService marks that fleet; anything else under the service is shared
 * (load balancer, listeners, DNS, parameters). The service is recognised by having such a child,
 * so the diff needs no knowledge of the construct's class.
 */

const FLEET_SEGMENTS: Readonly<Record<string, Color>> = { Blue: 'blue', Green: 'green' };

export interface Attribution {
  readonly service?: string;
  readonly fleet: Fleet;
}

/** Construct paths of the BlueGreenServices seen in any of the paths. */
export function findServices(paths: Iterable<string>): string[] {
  const services = new Set<string>();
  for (const p of paths) {
    const segments = p.split('/');
    // index >= 2: the stack itself is never a service (stack/Service/Blue/...).
    const at = segments.findIndex((s, i) => i >= 2 && s in FLEET_SEGMENTS);
    if (at >= 2) services.add(segments.slice(0, at).join('/'));
  }
  return [...services].sort();
}

export function attribute(path: string | undefined, services: readonly string[]): Attribution {
  if (!path) return { fleet: 'shared' };
  const owner = services.filter((s) => path.startsWith(`${s}/`)).sort((a, b) => b.length - a.length)[0];
  if (!owner) return { fleet: 'shared' };
  const next = path.slice(owner.length + 1).split('/')[0];
  return { service: owner, fleet: FLEET_SEGMENTS[next] ?? 'shared' };
}

/** The service's id inside its stack, for display (`bgf-production-api/Service` → `Service`). */
export function serviceLabel(service: string): string {
  return service.split('/').slice(1).join('/') || service;
}

/**
 * The live-color parameter of a service: the one recorded under the service's path, else the only
 * one in the stack, else one whose id starts with the service's id.
 */
export function liveColorParameterOf(
  service: string,
  parameters: readonly string[],
  paths: ReadonlyMap<string, string>,
): string | undefined {
  const underService = parameters.filter((p) => paths.get(p)?.startsWith(`${service}/`));
  if (underService.length === 1) return underService[0];
  if (parameters.length === 1) return parameters[0];
  const id = service.split('/').pop() ?? '';
  return parameters.find((p) => p.toLowerCase().startsWith(id.toLowerCase()));
}
