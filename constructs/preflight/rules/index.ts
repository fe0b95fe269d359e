import { PreflightRule } from '../types';
import { accountQuotas } from './account-quotas';
import { accountSingletons } from './account-singletons';
import { lambdaVpcEni } from './lambda-vpc-eni';
import { passRole } from './pass-role';
import { ssmParameterAccess } from './ssm-parameter-access';
import { stackOutputAccess } from './stack-output-access';

/** The rules index: every preflight rule, in report order (docs/preflight.md explains each). */
export const PREFLIGHT_RULES: readonly PreflightRule[] = [lambdaVpcEni, ssmParameterAccess, stackOutputAccess, passRole, accountQuotas, accountSingletons];
