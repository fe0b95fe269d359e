/** Shared by the CLI's waits (src/aws/waiters.ts) and the Lambdas' (no dependency on either). */

/** The SDK puts the whole last response in the message as JSON; keep what a human needs. */
export function summarizeWaiterFailure(message: string): string {
  try {
    const parsed = JSON.parse(message) as { state?: string; reason?: Record<string, unknown> };
    const reason = parsed.reason ?? {};
    const stack = (reason.Stacks as { StackStatus?: string; StackStatusReason?: string }[] | undefined)?.[0];
    const scan = reason.imageScanStatus as { status?: string; description?: string } | undefined;
    if (scan?.status) return `scan status ${scan.status}${scan.description ? ` (${scan.description})` : ''}`;
    if (stack) return `stack status ${stack.StackStatus}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}`;
    const failures = reason.failures as { arn?: string; reason?: string }[] | undefined;
    if (failures?.length) return failures.map((f) => `${f.arn}: ${f.reason}`).join('; ');
    if (typeof reason.message === 'string') return `${parsed.state ?? 'FAILURE'}: ${reason.message}`;
    return parsed.state ?? message;
  } catch {
    return message;
  }
}
