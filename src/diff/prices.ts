import { readFileSync } from 'fs';
import { z } from 'zod';
import tokyo from '../../data/prices-ap-northeast-1.json';

/**
 * The committed, dated price table the cost estimate uses (data/prices-<region>.json). It is
 * validated like a config so a hand edit that breaks it fails loudly instead of pricing at zero.
 */

const usd = z.number().min(0);

export const priceTableSchema = z
  .object({
    region: z.string(),
    currency: z.literal('USD'),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD'),
    source: z.string().min(1),
    note: z.string().min(1),
    hoursPerMonth: z.number().positive(),
    /** Share of an instance's memory ECS can place tasks in (the rest is the OS and the agent). */
    taskMemoryShare: z.number().gt(0).max(1),
    ec2: z.record(
      z.string(),
      z.object({ usdPerHour: usd, vcpu: z.number().int().positive(), memoryMiB: z.number().int().positive(), maxEnis: z.number().int().min(1) }).strict(),
    ),
    loadBalancerUsdPerHour: z.object({ application: usd, network: usd }).strict(),
    natGatewayUsdPerHour: usd,
    interfaceEndpointUsdPerAzHour: usd,
    publicIpv4UsdPerHour: usd,
  })
  .strict();

export type PriceTable = Readonly<z.infer<typeof priceTableSchema>>;
export type InstancePrice = PriceTable['ec2'][string];

export function parsePriceTable(json: unknown, origin: string): PriceTable {
  const result = priceTableSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`price table ${origin}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return result.data;
}

/** The committed tables, by region. */
export function defaultPriceTables(): PriceTable[] {
  return [parsePriceTable(tokyo, 'data/prices-ap-northeast-1.json')];
}

export function readPriceTable(file: string): PriceTable {
  return parsePriceTable(JSON.parse(readFileSync(file, 'utf8')), file);
}
