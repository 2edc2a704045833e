/**
 * The stack's authorization, served as API Gateway serves it: API keys admitted by
 * usage plans (API_AUTHORIZATION=API_KEY) and SigV4-signed requests
 * (API_AUTHORIZATION=AWS_IAM), from stacks synthesized by the app, plus a
 * hand-written stack for what one key cannot show (several keys, their plans'
 * throttles, LOCAL_API_KEY).
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { FIXTURE_DOCUMENT, writeFixtureStack } from './fixture-stack';
import { cleanUp, curlPost, curlVersion, request, type Response, type RunningServer, startServer, synthesize } from './harness';

const REGION = 'us-east-2';
const LOCAL_KEY = 'local-key-from-LOCAL_API_KEY-0001';
const LITERAL_KEY = 'literal-key-from-the-stack-0001';
const FORBIDDEN = { status: 403, body: '{"message":"Forbidden"}' };
const curlSigV4 = curlVersion !== undefined && (curlVersion[0] > 7 || (curlVersion[0] === 7 && curlVersion[1] >= 75));

let keyServer: RunningServer;
let iamServer: RunningServer;
let fixtureServer: RunningServer;

beforeAll(async () => {
  const keyStack = synthesize({ API_AUTHORIZATION: 'API_KEY' });
  const iamStack = synthesize({ API_AUTHORIZATION: 'AWS_IAM' });
  [keyServer, iamServer, fixtureServer] = await Promise.all([
    startServer({ env: { CDKTF_OUTDIR: keyStack }, args: ['--in-memory'] }),
    startServer({ env: { CDKTF_OUTDIR: iamStack }, args: ['--in-memory'] }),
    startServer({ env: { STACK_DIR: writeFixtureStack(keyedFixture()), LOCAL_API_KEY: LOCAL_KEY }, args: ['--in-memory'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([keyServer, iamServer, fixtureServer].map((server) => server?.stop()));
  cleanUp();
});

/** The fixture stack with POST /slow requiring a key, and keys in plans that throttle differently. */
function keyedFixture(): object {
  const document: { resource: Record<string, Record<string, Record<string, unknown>>> } = structuredClone(FIXTURE_DOCUMENT);
  const api = '${aws_api_gateway_rest_api.api.id}';
  const plan = (stages: string[], throttle?: object) => ({ name: stages.join('+'), api_stages: stages.map((stage) => ({ api_id: api, stage })), throttle_settings: throttle });
  const member = (key: string, usagePlan: string) => ({ key_id: `\${aws_api_gateway_api_key.${key}.id}`, key_type: 'API_KEY', usage_plan_id: `\${aws_api_gateway_usage_plan.${usagePlan}.id}` });
  document.resource.aws_api_gateway_method.slow.api_key_required = true;
  document.resource.aws_api_gateway_api_key = {
    local: { name: 'local' },
    literal: { name: 'literal', value: LITERAL_KEY },
    disabled: { name: 'disabled', value: 'disabled-key-from-the-stack-0001', enabled: false },
    elsewhere: { name: 'elsewhere', value: 'limited-stage-key-from-the-stack' },
  };
  document.resource.aws_api_gateway_usage_plan = {
    // One request, then one per 10 s: no refill during the test, however slow the machine.
    tight: plan(['prod'], { rate_limit: 0.1, burst_limit: 1 }),
    open: plan(['prod', 'limited']),
    limited_only: plan(['limited']),
  };
  document.resource.aws_api_gateway_usage_plan_key = {
    local: member('local', 'tight'),
    literal: member('literal', 'open'),
    disabled: member('disabled', 'open'),
    elsewhere: member('elsewhere', 'limited_only'),
  };
  return document;
}

/** The banner's curl commands for the tutorial's requests, by operation. */
function printedCurl(server: RunningServer, operation: string): string {
  const line = server.output().split('\n').find((l) => l.startsWith('  curl ') && l.includes(`\\"operation\\":\\"${operation}\\"`));
  if (!line) throw new Error(`no curl command for ${operation} in the banner:\n${server.output()}`);
  return line.trim();
}

/** Runs a command line the banner printed, in a shell, as a reader would paste it. */
function runCurl(commandLine: string): string {
  const run = spawnSync('sh', ['-c', `${commandLine} -sS --max-time 10`], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('API_KEY: the app with a usage plan and a key', () => {
  const api = () => `${keyServer.url}/prod/DynamoDBManager`;
  const generatedKey = () => /^ {2}DynamoDBOperations-prod: (\S+) {2}\(generated at startup/m.exec(keyServer.output())?.[1] ?? '';
  const withKey = (key: string, body: string) => request(api(), { method: 'POST', headers: { 'x-api-key': key }, body });

  test('the banner shows a generated 40-character key and puts it into the curl commands', () => {
    expect(generatedKey()).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(keyServer.output()).toContain('(AWS, API key required)');
    expect(keyServer.output()).toContain('usage plan DynamoDBOperations-prod: stage prod; 100 requests/s, burst 200, per key');
    expect(printedCurl(keyServer, 'create')).toContain(`curl -X POST -H "x-api-key: ${generatedKey()}" -d `);
  });

  test('without a key, or with a wrong one, the answer is 403 Forbidden and the function does not run', async () => {
    const missing = await curlPost(api(), '{"operation":"create","payload":{"Item":{"id":"no-key"}}}');
    expect(missing).toMatchObject(FORBIDDEN);
    expect(missing.headers['x-amzn-errortype']).toBe('ForbiddenException');
    expect(await withKey('not-the-key-but-long-enough', '{"operation":"create","payload":{"Item":{"id":"wrong-key"}}}')).toMatchObject(FORBIDDEN);
    expect(await withKey(generatedKey().toLowerCase(), '{"operation":"ping"}')).toMatchObject(FORBIDDEN);

    const read = (id: string) => withKey(generatedKey(), JSON.stringify({ operation: 'read', payload: { Key: { id } } }));
    expect(await read('no-key')).toMatchObject({ status: 200, body: '{}' });
    expect(await read('wrong-key')).toMatchObject({ status: 200, body: '{}' });
  });

  test("with the key, the banner's curl commands work verbatim", () => {
    if (!curlVersion) {
      console.warn('SKIPPED: no curl on PATH, so the banner commands were not run.');
      return;
    }
    expect(runCurl(printedCurl(keyServer, 'create'))).toBe('{}');
    expect(JSON.parse(runCurl(printedCurl(keyServer, 'read')))).toEqual({ Item: { id: '1', name: 'Bob' } });
  });
});

describe("API keys of a hand-written stack: values, plans and each key's throttle", () => {
  const slow = (stage: string, key?: string) =>
    request(`${fixtureServer.url}/${stage}/slow`, { method: 'POST', headers: key ? { 'x-api-key': key } : {}, body: '{"n":1}' });

  test('LOCAL_API_KEY is the value of the key the stack gives none; a value the stack sets is kept', async () => {
    expect(fixtureServer.output()).toContain(`  local: ${LOCAL_KEY}  (from LOCAL_API_KEY)`);
    expect(fixtureServer.output()).toContain(`  literal: ${LITERAL_KEY}  (from the stack)`);
    expect((await slow('prod', LITERAL_KEY)).status).toBe(200);
  });

  test('a disabled key, and a key whose plan covers another stage only, get 403', async () => {
    expect(await slow('prod', 'disabled-key-from-the-stack-0001')).toMatchObject(FORBIDDEN);
    expect(await slow('prod', 'limited-stage-key-from-the-stack')).toMatchObject(FORBIDDEN);
    expect((await slow('limited', 'limited-stage-key-from-the-stack')).status).toBe(200);
    expect(fixtureServer.output()).toContain('disabled: requests with it get 403');
  });

  test("a key beyond its plan's throttle gets 429 while another key, on the same unthrottled stage, passes", async () => {
    const [first, second, third, other] = await Promise.all([slow('prod', LOCAL_KEY), slow('prod', LOCAL_KEY), slow('prod', LOCAL_KEY), slow('prod', LITERAL_KEY)]);
    const statuses = [first, second, third].map((response) => response.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
    expect([first, second, third].find((r) => r.status === 429)).toMatchObject({ body: '{"message":"Too Many Requests"}' });
    expect(other.status).toBe(200);
  });
});

describe('AWS_IAM: the app with SigV4-signed requests', () => {
  const api = () => `${iamServer.url}/prod/DynamoDBManager`;
  const signedPost = (body: string, options: SigningOptions = {}) => {
    const { url, headers } = sign(api(), body, options);
    return request(url, { method: 'POST', headers, body });
  };
  const expectDenied = (response: Response, errorType: string, message: string | RegExp) => {
    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe(errorType);
    expect(JSON.parse(response.body).message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  };

  test('an unsigned request gets 403 Missing Authentication Token, and the function does not run', async () => {
    const unsigned = await curlPost(api(), '{"operation":"create","payload":{"Item":{"id":"unsigned"}}}');
    expectDenied(unsigned, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    expect(await signedPost('{"operation":"read","payload":{"Key":{"id":"unsigned"}}}')).toMatchObject({ status: 200, body: '{}' });
  });

  test("a malformed Authorization header gets 403 naming what it lacks, as API Gateway's does", async () => {
    const bearer = await request(api(), { method: 'POST', headers: { authorization: 'Bearer abc' }, body: '{}' });
    expectDenied(
      bearer,
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
    );
    const { headers } = sign(api(), '{}');
    const noSignature = headers.authorization.replace(/, Signature=\w+/, '');
    expectDenied(
      await request(api(), { method: 'POST', headers: { ...headers, authorization: noSignature }, body: '{}' }),
      'IncompleteSignatureException',
      `Authorization header requires 'Signature' parameter. Authorization=${noSignature}`,
    );
  });

  test('a wrong signature, region, access key or date gets 403 saying which', async () => {
    const ping = '{"operation":"ping"}';
    const mismatch = /^The request signature we calculated does not match the signature you provided\. .*\n\nThe Canonical String for this request should have been\n'POST\n\/prod\/DynamoDBManager\n/s;
    expectDenied(await signedPost(ping, { secret: 'not-local' }), 'InvalidSignatureException', mismatch);
    const { url, headers } = sign(api(), ping);
    expectDenied(await request(url, { method: 'POST', headers, body: '{"operation":"echo"}' }), 'InvalidSignatureException', mismatch);
    expectDenied(await signedPost(ping, { region: 'eu-west-1' }), 'InvalidSignatureException', "Credential should be scoped to a valid region, not 'eu-west-1'. ");
    expectDenied(await signedPost(ping, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    expectDenied(await signedPost(ping, { date: new Date(Date.now() - 10 * 60_000) }), 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than /);
  });

  test('a correctly signed request, in the Authorization header or as a presigned URL, reaches the function', async () => {
    expect(await signedPost('{"operation":"ping"}')).toMatchObject({ status: 200, body: '"pong"' });
    const { url } = sign(`${api()}?color=red%20and%20blue`, '{"operation":"ping"}', { presign: true });
    expect(await request(url, { method: 'POST', body: '{"operation":"ping"}' })).toMatchObject({ status: 200, body: '"pong"' });
  });

  test("curl --aws-sigv4, as the banner prints it, gets through; with another secret it gets 403", () => {
    expect(iamServer.output()).toContain(`AWS_IAM methods take requests signed with SigV4 by access key local, secret key local, region ${REGION}`);
    const create = printedCurl(iamServer, 'create');
    expect(create).toContain(`curl -X POST --aws-sigv4 "aws:amz:${REGION}:execute-api" --user local:local -d `);
    if (!curlSigV4) {
      console.warn('SKIPPED: curl here lacks --aws-sigv4 (7.75+); signing was tested with the test signer only.');
      return;
    }
    expect(runCurl(create)).toBe('{}');
    expect(JSON.parse(runCurl(printedCurl(iamServer, 'read')))).toEqual({ Item: { id: '1', name: 'Bob' } });
    expect(JSON.parse(runCurl(create.replace('--user local:local', '--user local:wrong'))).message).toMatch(/^The request signature we calculated does not match/);
  });
});

interface SigningOptions {
  readonly accessKeyId?: string;
  readonly secret?: string;
  readonly region?: string;
  readonly date?: Date;
  /** Sign into the query string (a presigned URL), not the Authorization header. */
  readonly presign?: boolean;
}

/**
 * SigV4 for a POST, as the AWS SDKs compute it, written apart from the server's
 * verifier so that each checks the other (curl checks both, where it can sign).
 * Paths and query values here need no more than plain percent-encoding.
 */
function sign(target: string, body: string, options: SigningOptions = {}): { url: string; headers: Record<string, string> } {
  const { accessKeyId = 'local', secret = 'local', region = REGION, date = new Date(), presign = false } = options;
  const url = new URL(target);
  const query = [...url.searchParams];
  const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const scope = `${amzDate.slice(0, 8)}/${region}/execute-api/aws4_request`;
  const headers: Record<string, string> = presign ? { host: url.host } : { host: url.host, 'x-amz-date': amzDate };
  const signedHeaders = Object.keys(headers).sort().join(';');
  if (presign) {
    query.push(['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'], ['X-Amz-Credential', `${accessKeyId}/${scope}`], ['X-Amz-Date', amzDate]);
    query.push(['X-Amz-Expires', '60'], ['X-Amz-SignedHeaders', signedHeaders]);
  }
  // As the SDKs encode: a space is %20, never the form encoding's +.
  const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const encodedQuery = query.map(([name, value]) => `${encode(name)}=${encode(value)}`).sort();
  const canonicalRequest = [
    'POST',
    url.pathname,
    encodedQuery.join('&'),
    Object.keys(headers).sort().map((name) => `${name}:${headers[name]}\n`).join(''),
    signedHeaders,
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = [amzDate.slice(0, 8), region, 'execute-api', 'aws4_request'].reduce<Buffer | string>((k, part) => createHmac('sha256', k).update(part).digest(), `AWS4${secret}`);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const base = `${url.origin}${url.pathname}`;
  if (presign) return { url: `${base}?${[...encodedQuery, `X-Amz-Signature=${signature}`].join('&')}`, headers: {} };
  delete headers.host; // Node sends the same Host itself.
  return { url: encodedQuery.length > 0 ? `${base}?${encodedQuery.join('&')}` : base, headers: { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` } };
}
