/**
 * The pieces that translate AWS's dialects for the local server: Java selection
 * patterns, Velocity mapping templates, JSON Schema models, and the Terraform
 * references of a synthesized stack.
 */
import * as path from 'node:path';
import { ERROR_CLASSES, type ErrorClass, formatErrorMessage } from '../../function/error-contract';
import { compileSelectionPattern } from '../../local/apigateway/java-regex';
import { compileSchema } from '../../local/apigateway/json-schema';
import { compileTemplate, parsedPathCount, renderResponse } from '../../local/apigateway/velocity';
import { FunctionRuntime } from '../../local/lambda/runtime';
import { LocalError } from '../../local/shared/local-error';
import { loadStack } from '../../local/stack/reader';
import { ResolvedDocument } from '../../local/stack/resolved-document';
import { findStackFile } from '../../local/stack/stack-file';
import { cleanUp, synthesize } from './harness';

let synthesized: ReturnType<typeof loadStack> | undefined;
/** The tutorial's stack as `npm run synth` makes it, synthesized once for this file. */
const tutorialStack = () => (synthesized ??= loadStack(findStackFile({ outDir: synthesize() }), { baseUrl: 'http://127.0.0.1:3000' }));

afterAll(cleanUp);

describe('selection patterns, matched as Java matches them: whole message', () => {
  test("each error class of the handler's contract selects its own status in the synthesized stack, and no other", () => {
    const stack = tutorialStack();
    const responses = stack.api!.routes[0].integration.responses.filter((response) => response.selectionPattern !== undefined);
    const patterns = responses.map((response) => ({ status: Number(response.statusCode), regex: compileSelectionPattern(response.selectionPattern!, response.address) }));
    for (const [errorClass, status] of Object.entries(ERROR_CLASSES) as [ErrorClass, number][]) {
      const message = formatErrorMessage(errorClass, 'line one\u2028"quoted"');
      expect({ errorClass, statuses: patterns.filter((p) => p.regex.test(message)).map((p) => p.status) }).toEqual({ errorClass, statuses: [status] });
    }
    // What the handler never formats (a timeout, a crash) is an internal error.
    const timeout = 'RequestId: 1 Error: Task timed out after 10.00 seconds';
    expect(patterns.filter((p) => p.regex.test(timeout)).map((p) => p.status)).toEqual([500]);
  });

  test("Java's dot stops at its line terminators, U+0085 included; (?s) and [\\s\\S] span them", () => {
    expect(compileSelectionPattern('a.*b', 'test').test('a\u0085b')).toBe(false);
    expect(compileSelectionPattern('(?s)a.*b', 'test').test('a\u0085\nb')).toBe(true);
    expect(compileSelectionPattern('[\\s\\S]+', 'test').test('x\n\u00a0\u2028y')).toBe(true);
    expect(compileSelectionPattern('\\Q[x]\\E.*', 'test').test('[x] and more')).toBe(true);
    expect(compileSelectionPattern('abc', 'test').test('xabcx')).toBe(false);
  });

  test('(?m) makes ^ and $ line anchors as Java has them, and leaves the whole-message match and \\A, \\z whole', () => {
    // Each expectation is what Java 17's Pattern.matches answers.
    const matches = (pattern: string, message: string) => compileSelectionPattern(pattern, 'test').test(message);
    expect(matches('(?m)foo', 'bar\nfoo')).toBe(false);
    expect(matches('(?ms).*\\Afoo.*', 'x\nfoo')).toBe(false);
    expect(matches('(?ms).*\\Ab', 'a\nb')).toBe(false);
    expect(matches('(?ms)a.*\\z', 'a\nb')).toBe(true);
    expect(matches('(?ms).*^foo$.*', 'x\nfoo\ny')).toBe(true);
    expect(matches('(?m)a\\u0085^b', 'a\u0085b')).toBe(true);
    expect(matches('(?m)a\\r^\\nb', 'a\r\nb')).toBe(false);
    expect(matches('(?m)a\\n^', 'a\n')).toBe(false);
    expect(matches('(?m)a$\\n', 'a\n')).toBe(true);
    expect(matches('(?m)[$^]\\^', '$^')).toBe(true);
  });

  test('Java-only constructs are refused, not approximated', () => {
    expect(() => compileSelectionPattern('a++', 'the 400 response')).toThrow(/the 400 response has the selection pattern "a\+\+", which uses a possessive quantifier/);
    expect(() => compileSelectionPattern('(?>a)', 'x')).toThrow(LocalError);
    expect(() => compileSelectionPattern('\\p{Lu}', 'x')).toThrow(LocalError);
  });
});

describe('Velocity mapping templates', () => {
  const render = (template: string, body: string, params = { path: {}, querystring: {}, header: {} }) =>
    compileTemplate(template, 'test').render({ body, params, context: { stage: 'prod' }, stageVariables: { v: 'sv' } });

  test("$input.path, $input.json and $input.body read the payload; String methods work as in Java", () => {
    const body = JSON.stringify({ errorMessage: 'BadRequest: {"message":"x"}', list: [1, { a: 'b' }] });
    expect(render("$input.path('$.errorMessage').substring(12)", body)).toBe('{"message":"x"}');
    expect(render("$input.json('$.list[1]')", body)).toBe('{"a":"b"}');
    expect(render("$input.path('$.list').size()", body)).toBe('2');
    expect(render('$input.body', 'raw')).toBe('raw');
  });

  test('$util, $context, $stageVariables and $input.params', () => {
    expect(render('$util.escapeJavaScript($input.path(\'$.s\'))', JSON.stringify({ s: 'a"b\n' }))).toBe('a\\"b\\n');
    expect(render('$util.parseJson($input.path(\'$.j\')).k', JSON.stringify({ j: '{"k":"v"}' }))).toBe('v');
    expect(render('$util.base64Encode("hi") $util.urlEncode("a b")', '{}')).toBe('aGk= a+b');
    expect(render('$context.stage $stageVariables.v', '{}')).toBe('prod sv');
    expect(render("$input.params('id') $input.params('q') $input.params('X-Key')", '{}', { path: { id: '7' }, querystring: { q: 'z' }, header: { 'x-key': 'h' } })).toBe('7 z h');
  });

  test('JSONPaths built from request data do not pile up in the parsed-path cache', () => {
    const template = compileTemplate("$input.path($input.params('p'))", 'test');
    for (let i = 0; i < 1500; i++) template.render({ body: '{}', params: { path: {}, querystring: { p: `$.k${i}` }, header: {} }, context: {}, stageVariables: {} });
    expect(parsedPathCount()).toBe(1000);
  });

  test("the stack's CORS origin check sets Access-Control-Allow-Origin to a listed Origin only, in either spelling of the header, and keeps the body", () => {
    const stack = loadStack(findStackFile({ outDir: synthesize({ API_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' }) }), { baseUrl: 'http://127.0.0.1:3000' });
    const post = stack.api!.routes.find((route) => route.httpMethod === 'POST')!;
    const source = post.integration.responses.find((response) => response.statusCode === '200')!.responseTemplates['application/json'];
    const template = compileTemplate(source, 'the 200 template');
    const render = (header: Record<string, string>) => renderResponse(template, { body: '"pong"', params: { path: {}, querystring: {}, header }, context: {}, stageVariables: {} });
    expect(render({ Origin: 'http://localhost:5173' })).toEqual({ body: '"pong"', override: { status: undefined, headers: { 'Access-Control-Allow-Origin': 'http://localhost:5173' } } });
    expect(render({ origin: 'https://app.example.com' }).override.headers).toEqual({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
    expect(render({ origin: 'https://app.example.com.evil.example' })).toEqual({ body: '"pong"', override: { status: undefined, headers: {} } });
    expect(render({}).override.headers).toEqual({});
  });

  test('a template that does not parse is refused at startup, naming it', () => {
    expect(() => compileTemplate('#if(', 'the 400 template')).toThrow(/the 400 template is not a valid Velocity template/);
  });
});

describe('request models (JSON Schema draft 4)', () => {
  test("the stack's model accepts the tutorial's events and rejects others", () => {
    const stack = tutorialStack();
    const schema = stack.api!.routes[0].validation!.bodySchemas['application/json'];
    const valid = compileSchema(schema, 'model');
    expect(valid({ operation: 'create', tableName: 'lambda-apigateway', payload: { Item: { id: '1' } } })).toBe(true);
    expect(valid({ operation: 'echo', payload: { somekey1: 'somevalue1' } })).toBe(true);
    expect(valid({ operation: 'drop' })).toBe(false);
    expect(valid({ payload: {} })).toBe(false);
    expect(valid([])).toBe(false);
  });

  test('draft 4 keywords, references into the schema, and refusal of what is not implemented', () => {
    const valid = compileSchema(
      JSON.stringify({
        definitions: { id: { type: 'string', pattern: '^[a-z]+$', maxLength: 3 } },
        type: 'object',
        properties: { id: { $ref: '#/definitions/id' }, n: { type: 'integer', minimum: 1, exclusiveMinimum: true }, tags: { type: 'array', uniqueItems: true } },
        additionalProperties: false,
      }),
      'model',
    );
    expect(valid({ id: 'abc', n: 2, tags: ['a', 'b'] })).toBe(true);
    expect(valid({ id: 'abcd' })).toBe(false);
    expect(valid({ n: 1 })).toBe(false);
    expect(valid({ tags: ['a', 'a'] })).toBe(false);
    expect(valid({ other: 1 })).toBe(false);
    expect(() => compileSchema('{"dependencies":{}}', 'the model')).toThrow(/the model.schema uses the keyword "dependencies"/);
    expect(() => compileSchema('{"$ref":"https://example.com/s"}', 'the model')).toThrow(LocalError);
  });
});

describe("the synthesized stack's references", () => {
  test('plain references resolve, deeply and inside strings; functions and variables are refused when needed', () => {
    const stack = new ResolvedDocument(
      {
        resource: {
          aws_thing: { a: { name: 'alpha', ref: '${aws_thing.b.name}', text: 'x-${aws_thing.b.name}-$${literal}', bad: '${var.x}' }, b: { name: '${aws_thing.a.name}2' } },
        },
      },
      (resource, attribute) => (attribute === 'id' ? `id-${resource.name}` : undefined),
    );
    const a = stack.find('aws_thing.a')!;
    expect(stack.attribute(a, 'ref')).toBe('alpha2');
    expect(stack.attribute(a, 'text')).toBe('x-alpha2-${literal}');
    expect(stack.resolve({ list: ['${aws_thing.b.id}'] }, 'w')).toEqual({ list: ['id-b'] });
    expect(() => stack.attribute(a, 'bad')).toThrow(/aws_thing.a.bad is "\$\{var.x\}": the local server resolves plain references/);
    expect(() => stack.attribute(a, 'arn')).toThrow(/cannot compute aws_thing.a.arn/);
  });
});

describe('HANDLER_PACKAGING=asset', () => {
  test('the function runs from the zip the stack uploads', async () => {
    const stack = loadStack(findStackFile({ outDir: synthesize({ HANDLER_PACKAGING: 'asset' }) }), { baseUrl: 'http://127.0.0.1:3000' });
    const fn = stack.functions[0];
    expect(fn.code.kind).toBe('zip');
    expect(path.basename((fn.code as { file: string }).file)).toBe('function.zip');
    const runtime = new FunctionRuntime(fn, { extraEnvironment: {}, region: stack.region, logTo: process.stderr });
    try {
      expect(await runtime.start()).toBeUndefined();
      const result = await runtime.invoke('{"operation":"ping"}');
      expect(result).toMatchObject({ kind: 'result', payload: '"pong"' });
      expect(result.kind !== 'rejected' && result.log).toMatch(/"type":"platform\.report"/);
    } finally {
      await runtime.stop();
    }
  });
});
