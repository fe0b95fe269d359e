import { COMMENT_MARKER, renderMarkdown, signedUsd, usd, usdHourly } from '../../src/diff/render-markdown';
import { renderText } from '../../src/diff/render-text';
import { DiffReport, ResourceChangeReport } from '../../src/diff/types';

function report(resourceCount: number, dangerous = false): DiffReport {
  const resources: ResourceChangeReport[] = Array.from({ length: resourceCount }, (_, i) => ({
    logicalId: `R${i}`, type: 'AWS::SSM::Parameter', path: `bgf-dev-api/Service/Blue/Param${i}/Resource`, kind: 'changed', impact: 'update',
    service: 'bgf-dev-api/Service', fleet: 'blue', properties: ['Value'],
  }));
  const flags = dangerous ? [{ severity: 'danger' as const, category: 'iam' as const, stack: 'bgf-dev-api', path: 'bgf-dev-api/Service/Blue/TaskRole/Resource', service: 'bgf-dev-api/Service', fleet: 'blue' as const, reason: 'IAM permissions broadened: adds Allow | with a pipe', details: ['+ Allow s3:* on *'] }] : [];
  return {
    base: 'main', head: 'working tree', liveColorSource: 'unknown',
    priceTable: { region: 'ap-northeast-1', asOf: '2026-11-24', source: 's' },
    environments: [{
      environment: 'dev', production: false,
      stacks: [{ stackName: 'bgf-dev-api', environment: 'dev', production: false, status: 'changed', added: 0, changed: resourceCount, removed: 0, resources, flags, services: [] }],
      cost: {
        before: { monthlyUsd: 100, lines: [{ stack: 'bgf-dev-api', item: 'NAT gateway', quantity: 1, usdPerHour: 0.062, monthlyUsd: 45.26 }], warnings: [] },
        after: { monthlyUsd: 1234.5, lines: [], warnings: ['bgf-dev-api: instance type x is not in the price table; not priced'] },
        deltaUsd: 1134.5,
      },
    }],
    dangerous, counts: { danger: flags.length, caution: 0, resources: resourceCount }, warnings: [],
  };
}

describe('Markdown comment', () => {
  test('starts with the hidden marker and a headline; money has cents, hourly prices keep their digits', () => {
    const md = renderMarkdown(report(1, true));
    expect(md.split('\n').slice(0, 2)).toEqual([COMMENT_MARKER, '## 🔴 Infrastructure diff: 1 dangerous change needs approval']);
    expect(md).toContain('$100.00 → $1,234.50 (+$1,134.50)');
    expect(md).toContain('1 × $0.062/h = $45.26');
    expect(md).toContain('instance type x is not in the price table');
    expect(md).toMatch(/Cost is an \*\*estimate\*\*: on-demand list prices of 2026-11-24/);
  });

  test('a pipe in a reason does not break the table; a flag line names the fleet', () => {
    const md = renderMarkdown(report(1, true));
    expect(md).toContain('`Service/Blue/TaskRole` (blue fleet): IAM permissions broadened: adds Allow | with a pipe');
  });

  test('no danger: a green headline', () => {
    expect(renderMarkdown(report(1))).toContain('## ✅ Infrastructure diff: no dangerous changes');
  });

  test('over the comment limit, resource tables go first, then the text is cut', () => {
    const big = report(600, true);
    const full = renderMarkdown(big, 1_000_000);
    const fitted = renderMarkdown(big, 20_000);
    expect(full.length).toBeGreaterThan(20_000);
    expect(fitted.length).toBeLessThanOrEqual(20_000);
    expect(fitted).toContain('Resource tables left out');
    expect(fitted).toContain('IAM permissions broadened');
    const cut = renderMarkdown(big, 500);
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.startsWith(COMMENT_MARKER)).toBe(true);
    expect(cut).toContain('cut to fit a comment');
  });

  test('money formatting', () => {
    expect(usd(1234.5)).toBe('$1,234.50');
    expect(signedUsd(-3)).toBe('-$3.00');
    expect(usdHourly(0.0243)).toBe('$0.0243');
  });
});

describe('terminal text', () => {
  test('one line per resource with its fleet, the flags, the cost, and the verdict', () => {
    const text = renderText(report(1, true));
    expect(text).toContain('    ~ Service/Blue/Param0 (AWS::SSM::Parameter) update [Service:blue]: Value');
    expect(text).toContain('DANGER  [iam] IAM permissions broadened');
    expect(text).toContain('estimated monthly cost: $100.00 -> $1,234.50 (+$1,134.50)');
    expect(text.trim().split('\n').pop()).toBe('1 dangerous change(s), 0 to note: approval needed');
  });
});
