import { MARKERS } from '../release/support/aws-model/service-template';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require('../support/global-setup.js') as { MARKERS: { started: string; done: string; failed: string } };

test('global-setup.js writes and reads the markers the model\'s template reader waits on', () => {
  expect(setup.MARKERS).toEqual(MARKERS);
});
