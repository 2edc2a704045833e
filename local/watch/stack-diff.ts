/**
 * What a reload changed, in Terraform's words: the addresses of the resources, data
 * sources and outputs the new synthesized stack adds (`+`), changes (`~`, with the
 * top-level arguments that differ) or removes (`-`), in address order, as a plan
 * lists them. A function whose code changed is changed (`code`), whatever its
 * arguments say; an asset's content hash in a path is no change by itself (the code
 * it names is compared instead).
 */
import { isDeepStrictEqual } from 'node:util';

/** The parts of a synthesized stack's Terraform JSON that a plan compares. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, unknown>;
}

export interface StackVersionJson {
  readonly json: StackJson;
  /** Each function's code digest, by its address. */
  readonly code: ReadonlyMap<string, string>;
}

export interface StackChange {
  readonly action: '+' | '~' | '-';
  readonly address: string;
  /** For `~`: the arguments that differ (and `code`). */
  readonly arguments: readonly string[];
}

/** `assets/<asset id>/<content hash>/...`: the hash changes with the content, which is compared on its own. */
const ASSET_HASH = /(assets\/[^/"]+\/)[0-9A-F]{32}(?=\/|$)/g;

export function stackChanges(before: StackVersionJson, after: StackVersionJson): StackChange[] {
  const old = blocks(before.json);
  const next = blocks(after.json);
  const changes: StackChange[] = [];
  for (const address of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const a = old.get(address);
    const b = next.get(address);
    if (a === undefined) changes.push({ action: '+', address, arguments: [] });
    else if (b === undefined) changes.push({ action: '-', address, arguments: [] });
    else {
      const args = changedArguments(a, b);
      const codeBefore = before.code.get(address);
      if (codeBefore !== undefined && codeBefore !== after.code.get(address)) args.push('code');
      if (args.length > 0) changes.push({ action: '~', address, arguments: args });
    }
  }
  return changes;
}

/** `  ~ aws_lambda_function.function (code)`, one line per change. */
export function describeChanges(changes: readonly StackChange[]): string[] {
  return changes.map((change) => `  ${change.action} ${change.address}${change.arguments.length > 0 ? ` (${change.arguments.join(', ')})` : ''}`);
}

/** Every resource, data source and output by its address, as a plan names them, without cdktf's metadata. */
function blocks(json: StackJson): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const [prefix, group] of [['', json.resource], ['data.', json.data]] as const) {
    for (const [type, byName] of Object.entries(group ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const { '//': _metadata, ...rest } = config;
        found.set(`${prefix}${type}.${name}`, withoutAssetHashes(rest));
      }
    }
  }
  for (const [name, config] of Object.entries(json.output ?? {})) found.set(`output.${name}`, withoutAssetHashes(config));
  return found;
}

function changedArguments(a: unknown, b: unknown): string[] {
  const before = (a ?? {}) as Record<string, unknown>;
  const after = (b ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().filter((key) => !isDeepStrictEqual(before[key], after[key]));
}

function withoutAssetHashes(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ASSET_HASH, '$1<hash>');
  if (Array.isArray(value)) return value.map(withoutAssetHashes);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutAssetHashes(item)]));
  return value;
}
