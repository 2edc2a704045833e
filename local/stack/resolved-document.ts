/**
 * Reads a synthesized stack's Terraform JSON and resolves the `${type.name.attr}`
 * references in it, the way a plan would, with made-up but stable values for what
 * only AWS could compute (ids, ARNs). Anything beyond plain references (functions,
 * variables, locals) is refused when, and only when, a value the server needs holds one.
 */
import { createHash } from 'node:crypto';
import { LocalError } from '../shared/local-error';
import type { ServedType } from './resource-types';

export type Block = Record<string, unknown>;

/** `resource` or `data` of a Terraform JSON document: type → name → configuration. */
type Blocks = Record<string, Record<string, Block>>;

export interface TerraformDocument {
  readonly resource?: Blocks;
  readonly data?: Blocks;
  readonly provider?: Record<string, Block[] | Block>;
}

export interface Declared {
  /** Terraform address: `aws_lambda_function.function`, `data.archive_file.package`. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly config: Block;
}

/** Computes an attribute AWS would assign; undefined when this type has no such attribute locally. */
export type ComputedAttribute = (resource: Declared, attribute: string, document: ResolvedDocument) => unknown;

/** Terraform's metadata keys in a block, which carry no configuration. */
const META_KEYS = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each']);

const REFERENCE = /^(data\.)?([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)$/;

/** A stack's Terraform JSON, read as a plan reads it: every reference resolved. */
export class ResolvedDocument {
  private readonly resolving = new Set<string>();

  constructor(
    readonly document: TerraformDocument,
    private readonly computed: ComputedAttribute,
  ) {}

  /** Every resource of `type`, one the server serves, in declaration order. */
  all(type: ServedType): Declared[] {
    return this.ofType(type);
  }

  /** Every resource of every type, served or not. */
  allResources(): Declared[] {
    return Object.keys(this.document.resource ?? {}).flatMap((type) => this.ofType(type));
  }

  private ofType(type: string): Declared[] {
    return Object.entries(this.document.resource?.[type] ?? {}).map(([name, config]) => ({ address: `${type}.${name}`, type, name, config }));
  }

  find(address: string): Declared | undefined {
    const match = /^(data\.)?([^.]+)\.([^.]+)$/.exec(address);
    if (!match) return undefined;
    const config = (match[1] ? this.document.data : this.document.resource)?.[match[2]]?.[match[3]];
    return config ? { address, type: match[2], name: match[3], config } : undefined;
  }

  /** The keys of `resource`'s configuration that hold configuration (not Terraform's metadata). */
  configKeys(resource: Declared): string[] {
    return Object.keys(resource.config).filter((key) => !META_KEYS.has(key));
  }

  /**
   * `value` with every reference replaced by what it points at, deeply.
   * @param where names the attribute, for the error message when it cannot be resolved.
   */
  resolve(value: unknown, where: string): unknown {
    if (typeof value === 'string') return this.resolveString(value, where);
    if (Array.isArray(value)) return value.map((item, index) => this.resolve(item, `${where}[${index}]`));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item, `${where}.${key}`)]));
    }
    return value;
  }

  /** The resolved attribute `attribute` of `resource`, configured or computed. */
  attribute(resource: Declared, attribute: string): unknown {
    const where = `${resource.address}.${attribute}`;
    if (Object.hasOwn(resource.config, attribute) && !META_KEYS.has(attribute)) {
      if (this.resolving.has(where)) throw new LocalError(`${where} refers to itself through its references; Terraform would refuse this stack too.`);
      this.resolving.add(where);
      try {
        return this.resolve(resource.config[attribute], where);
      } finally {
        this.resolving.delete(where);
      }
    }
    const value = this.computed(resource, attribute, this);
    if (value === undefined) {
      throw new LocalError(
        `The local server cannot compute ${where}: it knows the attributes AWS assigns to the resources it emulates (ids, ARNs, names), not this one. ` +
          `Use a configured value instead, or leave it out of what the function and the API are given.`,
      );
    }
    return value;
  }

  /** A resolved attribute that must be a string. */
  stringAttribute(resource: Declared, attribute: string): string {
    const value = this.attribute(resource, attribute);
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new LocalError(`${resource.address}.${attribute} is ${JSON.stringify(value)}, not a string.`);
    }
    return String(value);
  }

  private resolveString(text: string, where: string): unknown {
    if (!text.includes('${') && !text.includes('%{')) return text;
    const parts: unknown[] = [];
    let rest = text;
    while (rest.length > 0) {
      const start = rest.search(/\$\$\{|\$\{|%%\{|%\{/);
      if (start < 0) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, start));
      const opener = rest.slice(start, start + 3);
      if (opener === '$${' || opener === '%%{') {
        // Terraform's escapes for a literal `${` / `%{`.
        parts.push(opener.slice(1));
        rest = rest.slice(start + 3);
        continue;
      }
      const end = closingBrace(rest, start + 2);
      const expression = rest.slice(start + 2, end).trim();
      if (rest[start] === '%' || end < 0) {
        throw unsupportedExpression(where, text);
      }
      parts.push(this.resolveReference(expression, where, text));
      rest = rest.slice(end + 1);
    }
    const nonEmpty = parts.filter((part) => part !== '');
    // A string that is one reference and nothing else takes the referenced value's own type.
    if (nonEmpty.length === 1) return nonEmpty[0];
    return nonEmpty.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
  }

  private resolveReference(expression: string, where: string, text: string): unknown {
    const match = REFERENCE.exec(expression);
    if (!match) throw unsupportedExpression(where, text);
    const [, data, type, name, attribute] = match;
    const address = `${data ? 'data.' : ''}${type}.${name}`;
    const target = this.find(address);
    if (!target) {
      throw new LocalError(`${where} refers to ${address}, which the stack does not declare; Terraform would refuse this stack too.`);
    }
    return this.attribute(target, attribute);
  }
}

function unsupportedExpression(where: string, text: string): LocalError {
  return new LocalError(
    `${where} is ${JSON.stringify(text)}: the local server resolves plain references such as \${aws_dynamodb_table.table.name}, ` +
      'not Terraform functions, variables, locals or template directives. Give this attribute a literal value or a plain reference.',
  );
}

/** Index of the `}` that closes the `{` just before `from`, skipping quoted strings; -1 if none. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** A stable, AWS-looking id for `address`: the same stack always gets the same ids. */
export function syntheticId(address: string, length: number): string {
  const digest = createHash('sha256').update(address).digest();
  let id = '';
  for (let i = 0; id.length < length; i++) id += (digest[i % digest.length] % 36).toString(36);
  return id;
}
