import { PolicyViolation } from 'aws-cdk-lib';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const TEMPLATE_PLACEHOLDER = '<template>';

/**
 * A validator's findings for one template depend only on the template's text and the rules
 * (cfn-guard's rule files; for CloudFormation's own validation, the aws-cdk-lib version that
 * ships its rules), so they are kept on disk by a hash of both (in
 * `node_modules/.cache/bluegreen-fleet/guard/`). A synth after the tests, or after a change to
 * one service, checks only the templates that changed. Entries never go stale: a different
 * template or rule set is a different key.
 */
export class GuardResultCache {
  private readonly rulesKey: string;

  constructor(
    rules: readonly string[],
    version: string,
    private readonly dir = defaultCacheDirectory(),
  ) {
    const hash = crypto.createHash('sha256').update(version);
    for (const rule of [...rules].sort()) hash.update(path.basename(rule)).update(fs.readFileSync(rule));
    this.rulesKey = hash.digest('hex');
  }

  private file(templatePath: string): string {
    const key = crypto.createHash('sha256').update(this.rulesKey).update(fs.readFileSync(templatePath)).digest('hex');
    return path.join(this.dir, `${key}.json`);
  }

  /** The cached findings for a template, pointing at that template's path; undefined on a miss. */
  public get(templatePath: string): PolicyViolation[] | undefined {
    try {
      const text = fs.readFileSync(this.file(templatePath), 'utf8');
      return JSON.parse(text.split(JSON.stringify(TEMPLATE_PLACEHOLDER)).join(JSON.stringify(templatePath))) as PolicyViolation[];
    } catch {
      return undefined;
    }
  }

  /**
   * Stores the findings of a run over several templates, one entry per template. A finding that
   * names no template (nothing to file it under) makes the whole run uncacheable: a later hit
   * would otherwise lose it.
   */
  public putAll(templatePaths: readonly string[], violations: readonly PolicyViolation[]): void {
    // Validators may report a template by another spelling of its path (relative or absolute).
    const known = new Set(templatePaths.map((t) => path.resolve(t)));
    const same = (a: string | undefined, b: string) => a !== undefined && path.resolve(a) === path.resolve(b);
    if (violations.some((v) => v.violatingResources.length === 0 || v.violatingResources.some((r) => !r.templatePath || !known.has(path.resolve(r.templatePath))))) return;
    for (const templatePath of templatePaths) {
      const own = violations
        .map((v) => ({ ...v, violatingResources: v.violatingResources.filter((r) => same(r.templatePath, templatePath)).map((r) => ({ ...r, templatePath: TEMPLATE_PLACEHOLDER })) }))
        .filter((v) => v.violatingResources.length > 0);
      try {
        fs.mkdirSync(this.dir, { recursive: true });
        const target = this.file(templatePath);
        fs.writeFileSync(`${target}.${process.pid}`, JSON.stringify(own));
        fs.renameSync(`${target}.${process.pid}`, target);
      } catch {
        // A cache that cannot be written only costs time.
      }
    }
  }
}

/** `node_modules/.cache/bluegreen-fleet/guard` of the project, or the system temp folder. */
export function defaultCacheDirectory(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'bluegreen-fleet', 'guard');
  }
  return path.join(os.tmpdir(), 'bluegreen-fleet', 'guard');
}

/** The cache is on unless BLUEGREEN_FLEET_GUARD_CACHE=off (the benchmark measures cold runs so). */
export function guardCacheEnabled(): boolean {
  return process.env.BLUEGREEN_FLEET_GUARD_CACHE !== 'off';
}
