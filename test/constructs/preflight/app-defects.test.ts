import { addCi, addEnvironment, addShared } from '../../../lib/app';
import { selectEnvironments, SHARED } from '../../../lib/config';
import { readAssembly, runPreflight } from '../../../constructs/preflight';
import type { PreflightFinding } from '../../../constructs/preflight';
import { newApp } from '../../support/synth';

/**
 * The gate run on this repository's whole app (shared, CI and every environment), built without
 * the other policy gates so that a finding shows here by rule rather than as a failed synth.
 * Before the fixes of issue 11 it reported defects 1, 2 and 3 (the smoke check's ENI rights,
 * BootstrapVersion unreadable by the Lambdas' and CI roles, the parameter-update role unable to
 * describe the producer stacks); each rule must now find nothing.
 */
describe('preflight on the app', () => {
  let findings: PreflightFinding[];

  beforeAll(() => {
    const app = newApp();
    const selection = selectEnvironments({});
    const shared = addShared(app, selection.shared!);
    for (const env of selection.environments) addEnvironment(app, env, selection.shared ?? SHARED);
    for (const env of selection.environments) addCi(app, env, selection.shared ?? SHARED, shared);
    findings = [...runPreflight(readAssembly(app.synth().directory)).findings];
  });

  const errors = (ruleId: string) => findings.filter((f) => f.ruleId === ruleId && f.severity === 'error').map((f) => `${f.stackName}/${f.logicalId}: ${f.message}`);

  test('defect 1 is gone: every VPC Lambda role can manage its ENIs', () => {
    expect(errors('LambdaVpcEni')).toEqual([]);
  });

  test('defect 2 is gone: every identity that may update a stack can resolve its SSM-typed parameters', () => {
    expect(errors('SsmParameterAccess')).toEqual([]);
  });

  test('defect 3 is gone: every execution role can resolve the stack-output references of its stack', () => {
    expect(errors('StackOutputAccess')).toEqual([]);
  });

  test('no error of any rule, quotas and account singletons included', () => {
    expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.stackName}/${f.logicalId}`)).toEqual([]);
  });
});
