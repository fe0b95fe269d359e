/**
 * A configuration mistake. The message is one line naming the environment, the field, the
 * value and what is allowed; bin/app.ts prints it without a stack trace.
 */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`config error in environment "${environment}": ${field} = ${show(value)}: ${allowed}`);
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Reports a mistake in one field; never returns. */
export type Fail = (field: string, value: unknown, allowed: string) => never;

export function failIn(environment: string): Fail {
  return (field, value, allowed) => {
    throw new ConfigError(environment, field, value, allowed);
  };
}
