/** `feature-login.api` → `FeatureLoginApi`: construct ids and output names from config names. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
