import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { readFileSync } from 'fs';
import { z } from 'zod';
import { liveColorParameterOf, findServices } from './attribution';
import { AssemblyStack } from './assembly';
import { liveColorParameters, templatePath } from './template';
import { Color } from './types';

/**
 * Which fleet is live, per service, read from the deployed stacks' `LiveColor` parameters. The
 * deployed value is the truth (a release changes it with UsePreviousTemplate); the template's
 * default is not, so without credentials the answer is "unknown", never a guess.
 */

export interface LiveColorLookup {
  /** Live color by service construct path, for the services of the given stacks. */
  lookup(stacks: readonly AssemblyStack[]): Promise<{ colors: Map<string, Color>; warnings: string[] }>;
}

export const UNKNOWN_LIVE_COLORS: LiveColorLookup = {
  lookup: async () => ({ colors: new Map(), warnings: [] }),
};

/** Credentials that the SDK would find without touching the network (instance metadata is not probed). */
export function hasAwsCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(
    (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE
      || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
}

/** The services of a stack and the live-color parameter each one reads. */
export function serviceParameters(stack: AssemblyStack): Array<{ service: string; parameter: string }> {
  const resourcePaths = Object.values(stack.template.Resources ?? {}).map(templatePath).filter((p): p is string => !!p);
  const services = findServices([...stack.paths.values(), ...resourcePaths]);
  const params = liveColorParameters(stack.template);
  return services.flatMap((service) => {
    const parameter = liveColorParameterOf(service, params, stack.paths);
    return parameter ? [{ service, parameter }] : [];
  });
}

export class CloudFormationLiveColors implements LiveColorLookup {
  constructor(private readonly clientFor: (region: string | undefined) => CloudFormationClient = (region) => new CloudFormationClient({ region })) {}

  async lookup(stacks: readonly AssemblyStack[]): Promise<{ colors: Map<string, Color>; warnings: string[] }> {
    const colors = new Map<string, Color>();
    const warnings: string[] = [];
    const clients = new Map<string, CloudFormationClient>();
    for (const stack of stacks) {
      const wanted = serviceParameters(stack);
      if (wanted.length === 0) continue;
      const key = stack.region ?? '';
      if (!clients.has(key)) clients.set(key, this.clientFor(stack.region));
      try {
        const out = await clients.get(key)!.send(new DescribeStacksCommand({ StackName: stack.stackName }));
        const deployed = new Map((out.Stacks?.[0]?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
        for (const { service, parameter } of wanted) {
          const value = deployed.get(parameter);
          if (value === 'blue' || value === 'green') colors.set(service, value);
          else warnings.push(`${stack.stackName}: deployed ${parameter} is ${value === undefined ? 'missing' : `"${value}"`}; live fleet unknown`);
        }
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        if (/does not exist/.test(message)) warnings.push(`${stack.stackName}: not deployed yet; live fleet unknown`);
        else warnings.push(`${stack.stackName}: could not read the deployed stack (${message}); live fleet unknown`);
      }
    }
    return { colors, warnings };
  }
}

/**
 * The `Stacks` of `aws cloudformation describe-stacks` output (one file, several calls' `Stacks`
 * concatenated), as a trusted CI job writes it for the pull-request diff (docs/pr-diff.md).
 */
const liveStateSchema = z.object({
  Stacks: z.array(
    z.object({
      StackName: z.string().min(1),
      Parameters: z.array(z.object({ ParameterKey: z.string(), ParameterValue: z.string().optional() }).passthrough()).optional(),
    }).passthrough(),
  ),
}).passthrough();

/**
 * Live colors from a file (`--live-state`): the pull request's diff runs its code with no AWS
 * credentials, and a separate job of the base branch's code reads the deployed stacks.
 */
export class FileLiveColors implements LiveColorLookup {
  private readonly stacks: Map<string, Map<string | undefined, string | undefined>>;

  constructor(file: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(read(file));
    } catch (error) {
      throw new Error(`--live-state ${file}: not JSON (${(error as Error).message})`, { cause: error });
    }
    const result = liveStateSchema.safeParse(parsed);
    if (!result.success) throw new Error(`--live-state ${file}: must be describe-stacks output ({"Stacks": [{"StackName", "Parameters"}]}): ${result.error.issues[0].path.join('.')} ${result.error.issues[0].message}`);
    this.stacks = new Map(result.data.Stacks.map((s) => [s.StackName, new Map((s.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]))]));
  }

  async lookup(stacks: readonly AssemblyStack[]): Promise<{ colors: Map<string, Color>; warnings: string[] }> {
    const colors = new Map<string, Color>();
    const warnings: string[] = [];
    for (const stack of stacks) {
      const wanted = serviceParameters(stack);
      if (wanted.length === 0) continue;
      const deployed = this.stacks.get(stack.stackName);
      if (!deployed) {
        warnings.push(`${stack.stackName}: not in the live state (not deployed yet, or not read); live fleet unknown`);
        continue;
      }
      for (const { service, parameter } of wanted) {
        const value = deployed.get(parameter);
        if (value === 'blue' || value === 'green') colors.set(service, value);
        else warnings.push(`${stack.stackName}: deployed ${parameter} is ${value === undefined ? 'missing' : `"${value}"`}; live fleet unknown`);
      }
    }
    return { colors, warnings };
  }
}
