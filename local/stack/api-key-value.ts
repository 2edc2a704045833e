/** API Gateway's rule for an API key's value: the stack's own values and LOCAL_API_KEY both follow it. */

/**
 * Why `value` cannot be an API key, or undefined if it can: API Gateway takes 20
 * to 128 printable ASCII characters, and spaces at either end would not survive
 * the trip in an HTTP header.
 */
export function apiKeyValueProblem(value: string): string | undefined {
  if (value.length < 20 || value.length > 128) return `it is ${value.length} characters long, not 20 to 128`;
  const nonPrintable = [...value].findIndex((c) => c < ' ' || c > '~');
  if (nonPrintable >= 0) return `character ${nonPrintable + 1} is U+${value.codePointAt(nonPrintable)!.toString(16).toUpperCase().padStart(4, '0')}, not printable ASCII`;
  if (value.trim() !== value) return 'it starts or ends with a space, which HTTP drops from a header';
  return undefined;
}
