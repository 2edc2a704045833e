/**
 * API Gateway's mapping templates: Velocity (via velocityjs) with the variables
 * API Gateway gives them. Implemented: `$input.body`, `$input.json(path)`,
 * `$input.path(path)`, `$input.params()` / `$input.params(name)`, `$util.escapeJavaScript`,
 * `$util.parseJson`, `$util.urlEncode`, `$util.urlDecode`, `$util.base64Encode`,
 * `$util.base64Decode`, `$context` (request id, stage, resource path, method, source
 * IP, error for gateway responses; `responseOverride` in response templates) and
 * `$stageVariables`. JSONPath covers `$`, `.name`, `['name']` and `[index]`.
 */
import { Compile, parse } from 'velocityjs';
import { LocalError } from '../shared/local-error';

export interface RequestParams {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
}

export interface TemplateContext {
  /** The payload `$input` reads: the request body, or the integration's response. */
  readonly body: string;
  readonly params: RequestParams;
  readonly context: Readonly<Record<string, unknown>>;
  readonly stageVariables: Readonly<Record<string, string>>;
}

export interface MappingTemplate {
  render(input: TemplateContext): string;
}

/**
 * Parses `source` once; rendering then costs no parsing.
 * @param where names the template's origin for error messages.
 */
export function compileTemplate(source: string, where: string): MappingTemplate {
  let compiled: Compile;
  try {
    compiled = new Compile(parse(source));
  } catch (error) {
    throw new LocalError(`${where} is not a valid Velocity template: ${(error as Error).message.split('\n')[0]}. Fix the template in the stack.`);
  }
  return {
    render: ({ body, params, context, stageVariables }) =>
      compiled.render({ input: inputVariable(body, params), util: UTIL, context, stageVariables }),
  };
}

/** What a response template set through `$context.responseOverride`: it replaces the integration response's status and headers. */
export interface ResponseOverride {
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** An override API Gateway answers with a 5XX: the same status or header overridden twice, or a status that is none. */
export class ResponseOverrideError extends Error {}

/**
 * Renders an integration response's template as API Gateway does: with
 * `$context.responseOverride`, whose `status` and `header.<name>` a template may
 * set once each ("overrides are final"); they apply after the response's own.
 * @throws ResponseOverrideError for a second override of the same value, or a status that is not one.
 */
export function renderResponse(template: MappingTemplate, input: TemplateContext): { body: string; override: ResponseOverride } {
  const headers: Record<string, string> = {};
  let status: number | undefined;
  const header = new Proxy(headers, {
    set: (target, name, value) => {
      if (typeof name !== 'string') return false;
      if (Object.hasOwn(target, name)) throw new ResponseOverrideError(`it overrides the header ${name} twice`);
      target[name] = String(value);
      return true;
    },
  });
  const responseOverride = new Proxy(
    { header, status },
    {
      set: (target, name, value) => {
        if (name !== 'status') return false;
        if (status !== undefined) throw new ResponseOverrideError('it overrides the status twice');
        status = Number(value);
        if (!Number.isInteger(status) || status < 100 || status > 599) throw new ResponseOverrideError(`it overrides the status with ${JSON.stringify(value)}, not an HTTP status`);
        target.status = status;
        return true;
      },
    },
  );
  const body = template.render({ ...input, context: { ...input.context, responseOverride } });
  return { body, override: { status, headers } };
}

function inputVariable(body: string, params: RequestParams) {
  let parsed: { value: unknown } | undefined;
  const json = () => {
    // Parsed on first use: many templates never read the body.
    parsed ??= { value: JSON.parse(body === '' ? '{}' : body) };
    return parsed.value;
  };
  return {
    body,
    json: (path: string) => JSON.stringify(jsonPath(json(), path)) ?? '',
    path: (path: string) => jsonPath(json(), path),
    params: (name?: string) => {
      if (name === undefined) return params;
      return params.path[name] ?? params.querystring[name] ?? headerValue(params.header, name) ?? '';
    },
  };
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

const UTIL = {
  escapeJavaScript: (text: unknown) =>
    String(text).replace(/[\\'"\n\r\t\b\f]/g, (c) => JS_ESCAPES[c]).replace(/[\u0000-\u001f\u007f-\u009f]/g, unicodeEscape),
  parseJson: (text: unknown) => JSON.parse(String(text)),
  urlEncode: (text: unknown) => encodeURIComponent(String(text)).replace(/%20/g, '+'),
  urlDecode: (text: unknown) => decodeURIComponent(String(text).replace(/\+/g, ' ')),
  base64Encode: (text: unknown) => Buffer.from(String(text), 'utf8').toString('base64'),
  base64Decode: (text: unknown) => Buffer.from(String(text), 'base64').toString('utf8'),
};

const JS_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Bounded, because a template can build its paths from request data: each distinct path would otherwise stay for good. */
const MAX_PARSED_PATHS = 1000;
const parsedPaths = new Map<string, (string | number)[]>();

/** For tests: how many parsed paths are kept. */
export function parsedPathCount(): number {
  return parsedPaths.size;
}

/** The value at JSONPath `path` in `value`, or undefined where there is none. */
function jsonPath(value: unknown, path: string): unknown {
  let steps = parsedPaths.get(path);
  if (!steps) {
    steps = parseJsonPath(path);
    // A Map iterates in insertion order, so its first key is the oldest.
    if (parsedPaths.size >= MAX_PARSED_PATHS) parsedPaths.delete(parsedPaths.keys().next().value!);
    parsedPaths.set(path, steps);
  }
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function parseJsonPath(path: string): (string | number)[] {
  const step = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;
  if (!path.startsWith('$')) throw new Error(`JSONPath ${JSON.stringify(path)} must start with $`);
  const steps: (string | number)[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = step.exec(rest);
    if (!match) throw new Error(`JSONPath ${JSON.stringify(path)} uses syntax the local server does not implement (only $, .name, ['name'] and [index])`);
    steps.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : (match[3] ?? match[4]).replace(/\\(.)/g, '$1')));
    rest = rest.slice(match[0].length);
  }
  return steps;
}
