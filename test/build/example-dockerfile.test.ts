import * as fs from 'fs';
import * as path from 'path';
import { SHARED } from '../../lib/config';

const dockerfile = fs.readFileSync(path.join(__dirname, '../../examples/Dockerfile'), 'utf8');
/** Instructions without comments, continuation lines joined. */
const instructions = dockerfile
  .split('\n')
  .filter((line) => !line.trimStart().startsWith('#'))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim());

describe('examples/Dockerfile', () => {
  test('uses a Dockerfile syntax with secret mounts', () => {
    expect(dockerfile.split('\n')[0]).toBe('# syntax=docker/dockerfile:1');
  });

  test.each(SHARED.buildSecrets)('reads build secret %s only through a secret mount', (id) => {
    expect(instructions.some((i) => /^RUN /.test(i) && i.includes(`--mount=type=secret,id=${id},`))).toBe(true);
  });

  test('no ARG or ENV carries a credential, and no key file is copied in', () => {
    for (const line of instructions) {
      expect(line).not.toMatch(/^(ARG|ENV)\s+\S*(TOKEN|KEY|PASSWORD|SECRET)/i);
      expect(line).not.toMatch(/^(COPY|ADD)\s.*(id_rsa|id_ed25519|\.pem|deploy-key|\.ssh)/i);
    }
  });
});
