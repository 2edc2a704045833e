/** What Terraform's JSON plan (`terraform show -json`) says a change does, read the same way by `npm run drift` and the deploy tests. */

/** A resource's planned change, as the JSON plan writes it. */
export interface PlannedChange {
  readonly actions: string[];
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly after_unknown?: Record<string, unknown>;
}

/**
 * Top-level attributes a planned change touches: differing values, and values
 * unknown until apply. A nested block that is known shows in after_unknown as
 * `[{}]` or `{}`: only a `true` somewhere in it means unknown.
 */
export function changedAttributes(change: PlannedChange): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.after_unknown ?? {};
  const hasTrue = (value: unknown): boolean => value === true || (typeof value === 'object' && value !== null && Object.values(value).some(hasTrue));
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((key) => hasTrue(unknown[key]) || JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}
