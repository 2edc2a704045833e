/**
 * The values of the stack's API keys on this server. A key whose value the stack
 * writes out keeps it; the others, whose value AWS would generate at apply, get
 * LOCAL_API_KEY or a random key like API Gateway's, chosen at startup (and kept
 * across reloads) and printed in the banner.
 */
import { randomInt } from 'node:crypto';
import { LocalError } from '../shared/local-error';
import type { ApiKeyModel } from '../stack/model';

export interface LocalApiKey extends ApiKeyModel {
  readonly value: string;
  /** Where the value comes from, for the banner. */
  readonly origin: 'stack' | 'LOCAL_API_KEY' | 'generated';
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_KEY_LENGTH = 40;

/**
 * @param previous the values this server gave the keys before (a reloaded stack): a key
 * that had a generated value keeps it, so that clients' keys go on working.
 */
export function assignApiKeyValues(keys: readonly ApiKeyModel[], localApiKey: string | undefined, previous: readonly LocalApiKey[] = []): LocalApiKey[] {
  const valueless = keys.filter((key) => key.value === undefined);
  if (localApiKey !== undefined && valueless.length > 1) {
    throw new LocalError(
      `LOCAL_API_KEY gives one value, but ${valueless.length} API keys of the stack have none of their own (${valueless.map((key) => key.address).join(', ')}), ` +
        'and each key needs a value of its own. Unset LOCAL_API_KEY to have a value generated for each, or set values in the stack.',
    );
  }
  const assigned = keys.map((key): LocalApiKey => {
    if (key.value !== undefined) return { ...key, value: key.value, origin: 'stack' };
    if (localApiKey !== undefined) return { ...key, value: localApiKey, origin: 'LOCAL_API_KEY' };
    const before = previous.find((k) => k.address === key.address && k.origin === 'generated');
    return { ...key, value: before?.value ?? generatedKey(), origin: 'generated' };
  });
  const seen = new Map<string, LocalApiKey>();
  for (const key of assigned) {
    const other = seen.get(key.value);
    if (other) {
      const fromEnv = [other, key].find((k) => k.origin === 'LOCAL_API_KEY');
      const fromStack = [other, key].find((k) => k.origin === 'stack')!;
      throw new LocalError(
        fromEnv
          ? `LOCAL_API_KEY is the value the stack gives ${fromStack.address}, so ${fromEnv.address} cannot have it too. Choose another LOCAL_API_KEY.`
          : `${other.address} and ${key.address} have the same value in the stack; a request's key must name one key. Give them different values.`,
      );
    }
    seen.set(key.value, key);
  }
  return assigned;
}

function generatedKey(): string {
  return Array.from({ length: GENERATED_KEY_LENGTH }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]).join('');
}
