import { Command, Option } from 'commander';

/**
 * One options definition per command: commander's flags, the TypeScript type of the parsed
 * options and the checks that run before the command's first AWS call all come from it. Loads
 * nothing but commander, so `--help` stays fast.
 */

interface OptionBase<T> {
  readonly flags: string;
  readonly description: string;
  readonly required?: boolean;
  readonly defaultValue?: T;
  /** A problem with the value, or undefined. Runs before any AWS call. */
  check?(value: T): string | undefined;
  /** Type marker only. */
  readonly __type?: T;
}

export interface OptionDef<T> extends OptionBase<T> {
  /** Commander's argument parser: the raw text, and the value so far (a repeated option's list). */
  parse?(raw: string, previous: T | undefined): T;
}

export function text(flags: string, description: string, more: Omit<OptionDef<string>, 'flags' | 'description'> = {}): OptionDef<string> {
  return { flags, description, ...more };
}

/** A mandatory text option: commander refuses the command without it, and its type is not optional. */
export function requiredText(flags: string, description: string, more: Omit<OptionDef<string>, 'flags' | 'description' | 'required'> = {}): OptionDef<string> & { readonly required: true } {
  return { flags, description, ...more, required: true };
}

export function flag(flags: string, description: string): OptionDef<boolean> {
  return { flags, description };
}

/** An option that may be given several times; its values in the order given. */
export function repeatable(flags: string, description: string): OptionDef<readonly string[]> {
  return { flags, description, parse: (raw, previous) => [...(previous ?? []), raw] };
}

/** A repeatable option commander refuses the command without; its type is not optional. */
export function requiredRepeatable(flags: string, description: string): OptionDef<readonly string[]> & { readonly required: true } {
  return { ...repeatable(flags, description), required: true };
}

/** An option whose flags end in `...>`: commander collects the words after it. */
export function variadic(flags: string, description: string): OptionDef<readonly string[]> {
  if (!/\.\.\.[>\]]$/.test(flags)) throw new Error(`option ${flags}: a variadic option's flags end in ...> or ...]`);
  return { flags, description };
}

export function integer(flags: string, description: string, more: Omit<OptionDef<number>, 'flags' | 'description' | 'parse'> & { min?: number } = {}): OptionDef<number> {
  const min = more.min ?? Number.MIN_SAFE_INTEGER;
  return {
    flags,
    description,
    ...more,
    // Kept as given when it is not a number, so the check names the option and the value.
    parse: (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : (raw as unknown as number)),
    check: (v) => (typeof v !== 'number' || !Number.isInteger(v) ? `must be an integer, not "${String(v)}"` : v < min ? `must be at least ${min}, not ${v}` : more.check?.(v)),
  };
}

export type OptionDefs = Readonly<Record<string, OptionDef<unknown>>>;

type ValueOf<D> = D extends OptionDef<infer T> ? T : never;
type RequiredKeys<D extends OptionDefs> = { [K in keyof D]: D[K]['required'] extends true ? K : never }[keyof D];

/** The options object an action receives, derived from the definition. */
export type OptionsOf<D extends OptionDefs> = { readonly [K in RequiredKeys<D>]: ValueOf<D[K]> } & { readonly [K in Exclude<keyof D, RequiredKeys<D>>]?: ValueOf<D[K]> };

export interface CommandOptions<D extends OptionDefs> {
  readonly options: D;
  /** Checks across options (e.g. --image-from against --env): [option flag, problem]. */
  across?(values: OptionsOf<D>): readonly (readonly [string, string])[];
}

export function defineOptions<D extends OptionDefs>(definition: CommandOptions<D>): CommandOptions<D> {
  return definition;
}

/** Registers the definition's options on a commander command; the key must be commander's attribute name. */
export function addOptions(command: Command, definition: CommandOptions<OptionDefs>): Command {
  for (const [key, def] of Object.entries(definition.options)) {
    const option = new Option(def.flags, def.description);
    if (option.attributeName() !== key) throw new Error(`option ${def.flags}: commander stores it as ${option.attributeName()}, the definition as ${key}`);
    if (def.required) option.makeOptionMandatory();
    if (def.parse) option.argParser((raw: string, previous: unknown) => def.parse!(raw, previous));
    if (def.defaultValue !== undefined) option.default(def.defaultValue);
    command.addOption(option);
  }
  return command;
}

/** Every problem with the given options, each naming its option (empty when they are fine). */
export function checkOptions<D extends OptionDefs>(definition: CommandOptions<D>, values: OptionsOf<D>): string[] {
  const problems: string[] = [];
  for (const [key, def] of Object.entries(definition.options)) {
    const value = (values as Record<string, unknown>)[key];
    if (value === undefined || !def.check) continue;
    const problem = def.check(value);
    if (problem) problems.push(`${longFlag(def.flags)} ${problem}`);
  }
  for (const [option, problem] of definition.across?.(values) ?? []) problems.push(`${option} ${problem}`);
  return problems;
}

function longFlag(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags;
}
