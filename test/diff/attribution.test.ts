import { attribute, findServices, liveColorParameterOf, serviceLabel } from '../../src/diff/attribution';

describe('blue/green attribution by construct path', () => {
  const paths = [
    'bgf-production-api/Service/Blue/Cluster/Resource',
    'bgf-production-api/Service/Green/TaskRole/Resource',
    'bgf-production-api/Service/LoadBalancer/Resource',
    'bgf-production-api/Other/Thing/Resource',
  ];

  test('GIVEN paths with Blue/Green below a construct WHEN finding services THEN that construct is the service', () => {
    expect(findServices(paths)).toEqual(['bgf-production-api/Service']);
  });

  test('a Blue or Green segment directly below the stack is not a service', () => {
    expect(findServices(['bgf-dev-api/Blue/Resource'])).toEqual([]);
  });

  test('fleet resources are attributed to their color, the rest of the service to shared', () => {
    const services = findServices(paths);
    expect(attribute(paths[0], services)).toEqual({ service: 'bgf-production-api/Service', fleet: 'blue' });
    expect(attribute(paths[1], services)).toEqual({ service: 'bgf-production-api/Service', fleet: 'green' });
    expect(attribute(paths[2], services)).toEqual({ service: 'bgf-production-api/Service', fleet: 'shared' });
  });

  test('a resource outside any service, or without a path, is shared with no service', () => {
    const services = findServices(paths);
    expect(attribute(paths[3], services)).toEqual({ fleet: 'shared' });
    expect(attribute(undefined, services)).toEqual({ fleet: 'shared' });
  });

  test('a Blue segment deeper inside a fleet does not make a second service', () => {
    const services = findServices(['s/Service/Green/Sidecar/Blue/Resource', 's/Service/Blue/X']);
    expect(services).toEqual(['s/Service']);
    expect(attribute('s/Service/Green/Sidecar/Blue/Resource', services).fleet).toBe('green');
  });

  test('two services in one stack are told apart, the longest prefix wins', () => {
    const services = findServices(['s/Api/Blue/X', 's/ApiWorker/Green/X']);
    expect(attribute('s/ApiWorker/Green/X', services)).toEqual({ service: 's/ApiWorker', fleet: 'green' });
    expect(serviceLabel('s/ApiWorker')).toBe('ApiWorker');
  });

  test('the live-color parameter of a service: under its path, else the only one, else by id prefix', () => {
    const paths = new Map([['ApiLiveColor', 's/Api/LiveColor'], ['WebLiveColor', 's/Web/LiveColor']]);
    expect(liveColorParameterOf('s/Web', ['ApiLiveColor', 'WebLiveColor'], paths)).toBe('WebLiveColor');
    expect(liveColorParameterOf('s/Api', ['LiveColor'], new Map())).toBe('LiveColor');
    expect(liveColorParameterOf('s/Web', ['ApiLiveColor', 'WebLiveColor'], new Map())).toBe('WebLiveColor');
    expect(liveColorParameterOf('s/Other', ['ApiLiveColor', 'WebLiveColor'], new Map())).toBeUndefined();
  });
});
