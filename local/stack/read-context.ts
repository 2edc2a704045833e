/**
 * What the readers of the stack (./reader and one per service) share: the resolved
 * document, and the problems and notices found so far. A problem is collected
 * rather than thrown, so the user sees every one at once.
 */
import { LocalError } from '../shared/local-error';
import type { Declared, ResolvedDocument } from './resolved-document';

export interface ReadContext {
  readonly document: ResolvedDocument;
  readonly stackDir: string;
  readonly region: string;
  /** What the server cannot serve faithfully; any one stops it. */
  readonly problems: string[];
  /** What the stack declares that is not emulated, or differs locally; printed at startup. */
  readonly notices: string[];
}

/** An integration with a function whose own problem is listed already. */
export class AlreadyReported extends Error {}

/** A reader of some of the stack's resources, with the helpers every one uses. */
export abstract class ResourceReader {
  protected readonly document: ResolvedDocument;

  constructor(protected readonly context: ReadContext) {
    this.document = context.document;
  }

  protected get notices(): string[] {
    return this.context.notices;
  }

  protected attempt<T>(read: () => T): T[] {
    return attempt(this.context, read);
  }

  protected str(resource: Declared, attribute: string, fallback?: string): string {
    if (!Object.hasOwn(resource.config, attribute) && fallback !== undefined) return fallback;
    return this.document.stringAttribute(resource, attribute);
  }

  protected optional(resource: Declared, attribute: string): unknown {
    return Object.hasOwn(resource.config, attribute) ? this.document.attribute(resource, attribute) : undefined;
  }
}

/** Runs `read`, turning a LocalError into one more listed problem, so the user sees them all at once. */
export function attempt<T>(context: ReadContext, read: () => T): T[] {
  try {
    return [read()];
  } catch (error) {
    if (error instanceof AlreadyReported) return [];
    if (!(error instanceof LocalError)) throw error;
    context.problems.push(error.message);
    return [];
  }
}

/** A nested block: an object in cdktf's JSON, a one-element list in Terraform's own; undefined when absent or empty. */
export function firstBlock(value: unknown): Record<string, unknown> | undefined {
  const block = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;
  return isEmpty(block) ? undefined : block;
}

/** Whether a configured value says nothing: unset, false, empty. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
