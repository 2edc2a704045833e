/**
 * JSON Schema draft 4, the dialect of API Gateway's models, for request body
 * validation: compiled once from the stack's model, then run on each request.
 * Every validation keyword of draft 4 is implemented except `dependencies` and
 * remote `$ref`s; a schema that uses those is refused at startup rather than
 * half-checked.
 */
import { LocalError } from '../shared/local-error';

export type Validator = (value: unknown) => boolean;

/** Whether a request body passes its model: an empty body is `{}`, a body that is not JSON fails. */
export function validBody(schema: Validator, body: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(body === '' ? '{}' : body);
  } catch {
    return false;
  }
  return schema(value);
}

type Schema = Record<string, unknown>;

/** Keywords that describe rather than constrain. */
const ANNOTATIONS = new Set(['$schema', 'id', 'title', 'description', 'default', 'definitions', 'format', 'example', 'examples']);

/**
 * Compiles `schemaText` (a model's `schema`).
 * @param where names the model, for error messages.
 */
export function compileSchema(schemaText: string, where: string): Validator {
  let root: unknown;
  try {
    root = JSON.parse(schemaText);
  } catch (error) {
    throw new LocalError(`${where}.schema is not JSON: ${(error as Error).message}. Fix the model's schema.`);
  }
  const compile = (schema: unknown, at: string): Validator => {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new LocalError(`${where}.schema at ${at} is ${JSON.stringify(schema)}, not a schema object.`);
    }
    return compileObject(schema as Schema, at);
  };

  const compileObject = (schema: Schema, at: string): Validator => {
    if (typeof schema.$ref === 'string') {
      const target = /^#(\/.*)?$/.test(schema.$ref) ? pointer(root, schema.$ref.slice(1)) : undefined;
      if (target === undefined) {
        throw new LocalError(`${where}.schema at ${at} refers to ${schema.$ref}; the local server follows references inside the schema (#/definitions/...) only.`);
      }
      // Compiled on first use, so that recursive definitions terminate.
      let resolved: Validator | undefined;
      return (value) => (resolved ??= compile(target, schema.$ref as string))(value);
    }
    const checks: Validator[] = [];
    for (const [keyword, argument] of Object.entries(schema)) {
      if (ANNOTATIONS.has(keyword)) continue;
      const check = keywordCheck(keyword, argument, schema, `${at}/${keyword}`);
      if (check) checks.push(check);
    }
    return (value) => checks.every((check) => check(value));
  };

  const keywordCheck = (keyword: string, arg: unknown, schema: Schema, at: string): Validator | undefined => {
    const n = arg as number;
    switch (keyword) {
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        return (value) => types.some((type) => hasType(value, type));
      }
      case 'enum':
        return (value) => (arg as unknown[]).some((allowed) => equal(allowed, value));
      case 'properties': {
        const properties = Object.entries(arg as Schema).map(([name, sub]) => [name, compile(sub, `${at}/${name}`)] as const);
        return (value) => !isObject(value) || properties.every(([name, check]) => !Object.hasOwn(value, name) || check(value[name]));
      }
      case 'patternProperties': {
        const patterns = Object.entries(arg as Schema).map(([pattern, sub]) => [new RegExp(pattern, 'u'), compile(sub, `${at}/${pattern}`)] as const);
        return (value) =>
          !isObject(value) || Object.keys(value).every((name) => patterns.every(([regex, check]) => !regex.test(name) || check(value[name])));
      }
      case 'additionalProperties': {
        const known = Object.keys((schema.properties ?? {}) as Schema);
        const patterns = Object.keys((schema.patternProperties ?? {}) as Schema).map((pattern) => new RegExp(pattern, 'u'));
        const check = arg === false ? () => false : arg === true ? () => true : compile(arg, at);
        return (value) =>
          !isObject(value) ||
          Object.keys(value).every((name) => known.includes(name) || patterns.some((regex) => regex.test(name)) || check(value[name]));
      }
      case 'required':
        return (value) => !isObject(value) || (arg as string[]).every((name) => Object.hasOwn(value, name));
      case 'minProperties':
        return (value) => !isObject(value) || Object.keys(value).length >= n;
      case 'maxProperties':
        return (value) => !isObject(value) || Object.keys(value).length <= n;
      case 'items': {
        if (Array.isArray(arg)) {
          const tuple = arg.map((sub, i) => compile(sub, `${at}/${i}`));
          const extra = schema.additionalItems;
          const rest = extra === undefined || extra === true ? () => true : extra === false ? () => false : compile(extra, `${at}/additionalItems`);
          return (value) => !Array.isArray(value) || value.every((item, i) => (i < tuple.length ? tuple[i](item) : rest(item)));
        }
        const check = compile(arg, at);
        return (value) => !Array.isArray(value) || value.every(check);
      }
      case 'additionalItems':
        return undefined; // Checked with `items`.
      case 'minItems':
        return (value) => !Array.isArray(value) || value.length >= n;
      case 'maxItems':
        return (value) => !Array.isArray(value) || value.length <= n;
      case 'uniqueItems':
        return (value) => !arg || !Array.isArray(value) || value.every((item, i) => value.findIndex((other) => equal(other, item)) === i);
      case 'minLength':
        return (value) => typeof value !== 'string' || [...value].length >= n;
      case 'maxLength':
        return (value) => typeof value !== 'string' || [...value].length <= n;
      case 'pattern': {
        const regex = new RegExp(arg as string, 'u');
        return (value) => typeof value !== 'string' || regex.test(value);
      }
      case 'minimum':
        return (value) => typeof value !== 'number' || (schema.exclusiveMinimum === true ? value > n : value >= n);
      case 'maximum':
        return (value) => typeof value !== 'number' || (schema.exclusiveMaximum === true ? value < n : value <= n);
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        return undefined; // Modifiers of minimum and maximum in draft 4.
      case 'multipleOf':
        return (value) => typeof value !== 'number' || Number.isInteger(Number((value / n).toPrecision(15)));
      case 'allOf': {
        const all = (arg as unknown[]).map((sub, i) => compile(sub, `${at}/${i}`));
        return (value) => all.every((check) => check(value));
      }
      case 'anyOf': {
        const any = (arg as unknown[]).map((sub, i) => compile(sub, `${at}/${i}`));
        return (value) => any.some((check) => check(value));
      }
      case 'oneOf': {
        const one = (arg as unknown[]).map((sub, i) => compile(sub, `${at}/${i}`));
        return (value) => one.filter((check) => check(value)).length === 1;
      }
      case 'not': {
        const check = compile(arg, at);
        return (value) => !check(value);
      }
      default:
        throw new LocalError(`${where}.schema uses the keyword ${JSON.stringify(keyword)} at ${at}, which the local server does not check. Remove it, or use draft 4's other keywords.`);
    }
  };

  return compile(root, '#');
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && equal(a[key], b[key]));
  }
  return false;
}

/** The value at JSON Pointer `path` ("" or "/definitions/x") in `root`. */
function pointer(root: unknown, path: string): unknown {
  let current = root;
  for (const raw of path.split('/').slice(1)) {
    const step = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}
