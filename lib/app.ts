import { App, CliCredentialsStackSynthesizer, Environment, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENVIRONMENTS, EnvironmentConfig, Selection, SHARED, SharedConfig } from './config';
import { addPolicyGates } from './policy';
import { CiStack } from './stacks/ci-stack';
import { NetworkStack } from './stacks/network-stack';
import { ServiceStack } from './stacks/service-stack';
import { REPOSITORY_PREFIX, SharedReplicaStack, SharedStack } from './stacks/shared-stack';

/** The stacks of one environment, for callers that need to reach into them (tests, pipelines). */
export interface EnvironmentStacks {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
  readonly services: readonly ServiceStack[];
}

export interface BuiltApp {
  readonly shared?: Stack;
  readonly environments: readonly EnvironmentStacks[];
}

export const STACK_PREFIX = 'bgf';

/**
 * The permissions boundary every role of the environment stacks carries, and that the CDK
 * execution role is bootstrapped with (bootstrap/README.md): the execution role may create roles
 * only with it, so nothing a deploy creates can exceed it.
 */
export const PERMISSIONS_BOUNDARY_NAME = 'bgf-permissions-boundary';

/** Stack names are a contract with the release CLI and the diff: keep them derived from here. */
export const stackNames = {
  shared: () => `${STACK_PREFIX}-shared`,
  sharedReplica: () => `${STACK_PREFIX}-shared-replica`,
  network: (env: string) => `${STACK_PREFIX}-${env}-network`,
  service: (env: string, service: string) => `${STACK_PREFIX}-${env}-${service}`,
  /** Not `<prefix>-<env>-*`: the deploy workflow deploys those, and never its own roles. */
  ci: (env: string) => `${STACK_PREFIX}-ci-${env}`,
};

function awsEnv(config: { account: string; region: string }): Environment {
  return { account: config.account, region: config.region };
}

function protect(stack: Stack, production: boolean, environment: string): void {
  Tags.of(stack).add('bluegreen-fleet:environment', environment);
  Tags.of(stack).add('bluegreen-fleet:managed-by', 'cdk');
  if (production) stack.terminationProtection = true;
}

/**
 * Adds the account-level stacks. Repositories and CI roles are made for every standard
 * environment, whichever of them this synth selected, so `-c env=shared` alone is complete.
 */
export function addShared(app: App, config: SharedConfig, environments: readonly EnvironmentConfig[] = Object.values(ENVIRONMENTS)): SharedStack {
  const stack = new SharedStack(app, stackNames.shared(), {
    env: awsEnv(config),
    stackName: stackNames.shared(),
    description: 'bluegreen-fleet shared: ECR repositories, build secrets, CI roles',
    config,
    serviceNames: environments.flatMap((e) => e.services.map((s) => s.name)),
    environments: environments.map((e) => ({ name: e.name, account: e.account, region: e.region })),
    stackPrefix: STACK_PREFIX,
    // Deployed by an administrator with their own credentials: the CDK execution role, bounded
    // by bootstrap/permissions-boundary.json, may not touch CI roles or the identity provider.
    synthesizer: new CliCredentialsStackSynthesizer(),
  });
  // Shared resources serve production too.
  protect(stack, true, 'shared');
  if (config.replicationRegion) {
    const replica = new SharedReplicaStack(app, stackNames.sharedReplica(), {
      env: { account: config.account, region: config.replicationRegion },
      stackName: stackNames.sharedReplica(),
      description: 'bluegreen-fleet shared: how ECR creates the replicated repositories in the replication Region',
      synthesizer: new CliCredentialsStackSynthesizer(),
    });
    protect(replica, true, 'shared');
    stack.addStackDependency(replica, 'replicas are created with the template, so it must exist before replication starts');
  }
  return stack;
}

/** Adds one environment: its network stack, then one stack per service. */
export function addEnvironment(app: App, config: EnvironmentConfig, imageRegistry: { account: string; region: string } = SHARED): EnvironmentStacks {
  const network = new NetworkStack(app, stackNames.network(config.name), {
    env: awsEnv(config),
    stackName: stackNames.network(config.name),
    description: `bluegreen-fleet ${config.name}: VPC and endpoints`,
    config,
  });
  protect(network, config.production, config.name);
  iam.PermissionsBoundary.of(network).apply(iam.ManagedPolicy.fromManagedPolicyName(network, 'PermissionsBoundary', PERMISSIONS_BOUNDARY_NAME));
  const services = config.services.map((service) => {
    const stack = new ServiceStack(app, stackNames.service(config.name, service.name), {
      env: awsEnv(config),
      stackName: stackNames.service(config.name, service.name),
      description: `bluegreen-fleet ${config.name}: ${service.name} on two fleets (blue/green)`,
      environment: config,
      service,
      network: network.network,
      hostedZone: network.hostedZone,
      imageRegistry: { account: imageRegistry.account, region: imageRegistry.region },
    });
    protect(stack, config.production, config.name);
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'PermissionsBoundary', PERMISSIONS_BOUNDARY_NAME));
    return stack;
  });
  // `allowFrom` is the whole list of callers: a service's load balancer admits their tasks only.
  const byName = new Map(services.map((s) => [s.config.name, s.service]));
  for (const stack of services) {
    for (const caller of stack.config.allowFrom) stack.service.allowCallsFrom(byName.get(caller)!.outbound, `${caller} calls ${stack.config.name}`);
  }
  return { config, network, services };
}

/**
 * Adds an environment's GitHub Actions roles, in its account. The account's OIDC provider is
 * created once per account: by the shared stack in its account, else by the CI stack of the
 * account's first environment (in the standard order), unless `githubOidcProviderArns` names an
 * existing one.
 */
export function addCi(app: App, config: EnvironmentConfig, shared: SharedConfig, sharedStack?: Stack, all: readonly EnvironmentConfig[] = Object.values(ENVIRONMENTS)): CiStack {
  const first = [...all, config].find((e) => e.account === config.account)!;
  const stack = new CiStack(app, stackNames.ci(config.name), {
    env: awsEnv(config),
    stackName: stackNames.ci(config.name),
    description: `bluegreen-fleet ${config.name}: GitHub Actions roles (deploy, release, live state)`,
    environment: config,
    shared,
    createsProvider: config.account !== shared.account && first.name === config.name,
    imageRepositoryArns: [...new Set(config.services.map((s) => s.name))].sort().map((s) => `arn:aws:ecr:${shared.region}:${shared.account}:repository/${REPOSITORY_PREFIX}${s}`),
    synthesizer: new CliCredentialsStackSynthesizer(),
    imageFrom: all.filter((e) => e.name !== config.name && e.account === config.account && e.region === config.region).map((e) => e.name),
    stackPrefix: STACK_PREFIX,
  });
  // The provider this stack imports is created by another stack of the same account.
  if (sharedStack && sharedStack.account === config.account) stack.addStackDependency(sharedStack);
  protect(stack, config.production, config.name);
  return stack;
}

/**
 * The one wiring function: bin/app.ts, the tests and any pipeline call this, so the app that is
 * tested is the app that is deployed.
 */
export function buildApp(app: App, selection: Selection): BuiltApp {
  addPolicyGates(app, selection.environments);
  const shared = selection.shared ? addShared(app, selection.shared) : undefined;
  const environments = selection.environments.map((env) => addEnvironment(app, env, selection.shared ?? SHARED));
  // Branch environments are deployed by hand and get no CI roles.
  for (const env of selection.environments) if (!env.branch) addCi(app, env, selection.shared ?? SHARED, shared);
  return { shared, environments };
}
