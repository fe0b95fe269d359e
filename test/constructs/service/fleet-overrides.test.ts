import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import type { FleetOptions, FleetOverrides } from '../../../constructs';

// Compile-time half (npm run typecheck): the same keys, and every override of the same type as
// the option it overrides.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type SameTypes<A, B> = [Required<A>] extends [Required<B>] ? ([Required<B>] extends [Required<A>] ? true : false) : false;
const sameKeys: SameKeys<FleetOptions, FleetOverrides> = true;
const sameTypes: SameTypes<FleetOptions, FleetOverrides> = true;

const ROOT = path.join(__dirname, '../../../constructs');
/** Where the interfaces that FleetOptions and FleetOverrides may extend are declared. */
const FILES = ['service/fleet-options.ts', 'service/fleet-overrides.ts', 'fleet/agent.ts'].map((f) => path.join(ROOT, f));

/**
 * The properties of an interface declared in FILES, inherited ones included, by name: the type as
 * written and whether it is optional. Syntax only (no type checker: that would load aws-cdk-lib).
 */
function propertiesOf(name: string): Map<string, { type: string; optional: boolean }> {
  for (const file of FILES) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (!declaration) continue;
    const inherited = (declaration.heritageClauses ?? []).flatMap((c) => c.types.map((t) => t.expression.getText(source))).flatMap((base) => [...propertiesOf(base)]);
    const own = declaration.members.filter(ts.isPropertySignature).map((m) => [m.name.getText(source), { type: m.type!.getText(source), optional: m.questionToken !== undefined }] as const);
    return new Map([...inherited, ...own]);
  }
  throw new Error(`interface ${name} is not declared in ${FILES.join(', ')}`);
}

describe('FleetOverrides (BlueGreenServiceProps.blue / .green)', () => {
  // Run-time half: read both interfaces from the source, so a field added to one and not the
  // other fails the tests too (jest does not type-check).
  const options = propertiesOf('FleetOptions');
  const overrides = propertiesOf('FleetOverrides');

  test('has exactly the fields of FleetOptions (inherited agent options included), each of the same type', () => {
    expect(sameKeys && sameTypes).toBe(true);
    expect([...overrides.keys()].sort()).toEqual([...options.keys()].sort());
    for (const [name, option] of options) expect([name, overrides.get(name)?.type]).toEqual([name, option.type]);
    expect(options.size).toBeGreaterThan(15);
  });

  test('every field is optional: an override names only what differs', () => {
    expect([...overrides].filter(([, p]) => !p.optional).map(([name]) => name)).toEqual([]);
  });
});
