import { scanSecretName, scanSecretValue } from '../../constructs/contract/secret-scan';
import { Fail } from './error';
import { EnvironmentConfig, FleetSpec } from './schema';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** CreateSecret `Name`: "ASCII letters, numbers, and the following characters: /_+=.@-", 1-512
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** PutParameter `Name`: "a-zA-Z0-9_.-" and "/" for hierarchies, at most 2048 with the ARN prefix
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html). */
const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,1011}$/;
const ARN = /^arn:(aws|aws-cn|aws-us-gov):(secretsmanager|ssm):([a-z0-9-]*):(\d{12}):/;

const WHERE_SECRETS_GO = 'put it in `secrets` (a Secrets Manager secret or an SSM SecureString) so its value never appears in a template, the pull-request comment or CI artifacts';

/**
 * Plain environment variables are written into the task definition in the template: refuse
 * names that say they hold a secret and values that are one (constructs/contract/secret-scan.ts).
 */
export function checkEnvironmentVariables(at: string, spec: FleetSpec, fail: Fail): void {
  for (const name of [...Object.keys(spec.environment), ...Object.keys(spec.secrets)]) {
    if (!ENV_NAME.test(name)) fail(`${at}.environment`, name, 'must be a valid environment variable name (letters, digits and _, not starting with a digit)');
  }
  for (const [name, value] of Object.entries(spec.environment)) {
    const byName = scanSecretName(name);
    if (byName) fail(`${at}.environment.${name}`, '(value not shown)', `looks like a secret: ${byName.what}; ${WHERE_SECRETS_GO}`);
    const byValue = scanSecretValue(value);
    if (byValue) fail(`${at}.environment.${name}`, '(value not shown)', `holds a secret value: ${byValue.what}; ${WHERE_SECRETS_GO}`);
    if (name in spec.secrets) fail(`${at}.secrets.${name}`, name, 'is also a plain environment variable; set it in one place');
  }
}

/**
 * `secrets` values name a secret in this environment's account: the service stack imports each
 * by name (Secret.fromSecretNameV2 / an SSM parameter name), and the task execution role of this
 * account reads it. An ARN of another account would need a resource policy and a KMS grant in
 * that account, which nothing here manages.
 */
export function checkSecretSources(env: EnvironmentConfig, at: string, spec: FleetSpec, fail: Fail): void {
  for (const [name, source] of Object.entries(spec.secrets)) {
    const field = `${at}.secrets.${name}`;
    const found = scanSecretValue(source);
    if (found) fail(field, '(value not shown)', `is a secret value (${found.what}), not the name of a secret: store the value in Secrets Manager and put its name here`);
    const ssm = source.startsWith('ssm:');
    const ref = ssm ? source.slice('ssm:'.length) : source;
    const arn = ARN.exec(ref);
    if (arn) {
      const [, , service, , account] = arn;
      if (account !== env.account) {
        fail(field, source, `is a ${service} ARN in account ${account}, not this environment's account ${env.account}: ECS reads secrets with this account's execution role; copy the secret into ${env.account}`);
      }
      fail(field, source, `must be the ${ssm ? 'parameter' : 'secret'} name, not its ARN: the service stack imports it by name in account ${env.account}`);
    }
    if (ref.startsWith('arn:')) fail(field, source, 'is not a Secrets Manager or SSM ARN; give the secret name (or ssm:<parameter name>)');
    if (ssm ? !PARAMETER_NAME.test(ref) : !SECRET_NAME.test(ref)) {
      fail(field, source, ssm ? 'must be ssm:<parameter name> (letters, digits, _ . - and /)' : 'must be a Secrets Manager secret name (letters, digits and / _ + = . @ -, at most 512)');
    }
  }
}
