import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * The registry's one replication configuration. ECR keeps a single replication configuration
 * per registry (account and region), so every ImageRepository of a stack that wants replication
 * adds its repository here instead of creating its own resource (two would overwrite each
 * other on deploy).
 */
export class RegistryReplication extends Construct {
  /** The singleton of a stack, created on first use. */
  public static of(scope: Construct): RegistryReplication {
    const stack = Stack.of(scope);
    const id = 'EcrRegistryReplication';
    return (stack.node.tryFindChild(id) as RegistryReplication | undefined) ?? new RegistryReplication(stack, id);
  }

  private readonly byRepository = new Map<string, readonly string[]>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    new ecr.CfnReplicationConfiguration(this, 'Resource', {
      replicationConfiguration: {
        rules: Lazy.any({ produce: () => this.renderRules() }),
      },
    });
  }

  /** Replicates images of `repositoryName` to each of `regions` (in this account). */
  public addRepository(repositoryName: string, regions: string[]): void {
    const stack = Stack.of(this);
    for (const region of regions) {
      if (Token.isUnresolved(region)) continue;
      if (!REGION.test(region)) {
        throw new Error(`ImageRepository: replicationRegions entry "${region}" must be an AWS region such as ap-northeast-3`);
      }
      if (!Token.isUnresolved(stack.region) && region === stack.region) {
        throw new Error(`ImageRepository: replicationRegions entry "${region}" is the stack's own region; replication needs another region`);
      }
    }
    this.byRepository.set(repositoryName, [...new Set(regions)].sort());
  }

  /** One rule per distinct set of destinations, so repositories that share destinations share a rule. */
  private renderRules(): ecr.CfnReplicationConfiguration.ReplicationRuleProperty[] {
    const account = Stack.of(this).account;
    const groups = new Map<string, string[]>();
    for (const [name, regions] of this.byRepository) {
      const key = regions.join(',');
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    return [...groups.entries()].map(([key, names]) => ({
      destinations: key.split(',').map((region) => ({ region, registryId: account })),
      // PREFIX_MATCH is the only filter type ECR offers; a full name as prefix selects the
      // repository and any whose name extends it (documented in docs/images-and-secrets.md).
      repositoryFilters: names.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
    }));
  }
}
