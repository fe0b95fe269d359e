import { warmSize } from '../../src/release/steps/fleet';

describe('warmSize: the live fleet size the CLI warms the standby to', () => {
  test('is the live service\'s desired count, not its running count (a rolling deployment runs old and new tasks side by side)', () => {
    expect(warmSize({ desired: 4, running: 7, pending: 0, deployments: 1 })).toBe(4);
    expect(warmSize({ desired: 6, running: 3, pending: 3, deployments: 2 })).toBe(6);
  });

  test('is at least one task', () => {
    expect(warmSize({ desired: 0, running: 0, pending: 0, deployments: 1 })).toBe(1);
  });
});
