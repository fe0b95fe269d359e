import * as fs from 'node:fs';
import * as path from 'node:path';
import { PREFLIGHT_RULES, QUOTAS } from '../../../constructs/preflight';

const DOC = fs.readFileSync(path.join(__dirname, '../../../docs/preflight.md'), 'utf8');

describe('docs/preflight.md', () => {
  test.each(PREFLIGHT_RULES.map((r) => [r.id, r] as const))('explains %s with every page the rule cites', (id, rule) => {
    expect(DOC).toContain(`### ${id}`);
    for (const url of rule.documentation) expect(DOC).toContain(url.split('#')[0]);
  });

  test.each(Object.values(QUOTAS).map((q) => [q.quotaCode, q] as const))('lists quota %s with its default', (code, quota) => {
    expect(DOC).toMatch(new RegExp(`${quota.serviceCode} ${code} \\| ${quota.defaultValue === 1000 ? '1,000' : quota.defaultValue}`));
  });
});
