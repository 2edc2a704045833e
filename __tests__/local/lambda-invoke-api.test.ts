/**
 * The Lambda invoke API on the server's port, as Lambda answers: it takes only
 * SigV4-signed requests whenever the REST API requires authorization or the server
 * listens beyond loopback (so it is no side door around the API key or IAM), finds
 * no function of another region or account, and refuses an event it cannot parse
 * rather than dropping it. Signed by the AWS CLI where it is installed, and by a
 * signer of this file's own for what the CLI does not send.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AWS_CLI_ENV, awsCli, cleanUp, curlPost, request, type Response, type RunningServer, startServer, synthesize, tempDir } from './harness';

const REGION = 'us-east-2';
const FUNCTION = 'LambdaFunctionOverHttps';
const PING = '{"operation":"ping"}';
const CREATE = '{"operation":"create","payload":{"Item":{"id":"side-door","name":"Mallory"}}}';

let keyServer: RunningServer;
let iamServer: RunningServer;
let wideServer: RunningServer;
/** Where the key server's user runs npm: the banner's paths are relative to it. */
let userDir: string;

beforeAll(async () => {
  const throttle = { API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' };
  const [keyStack, iamStack, openStack] = [synthesize({ ...throttle, API_AUTHORIZATION: 'API_KEY' }), synthesize({ ...throttle, API_AUTHORIZATION: 'AWS_IAM' }), synthesize(throttle)];
  userDir = tempDir('user');
  [keyServer, iamServer, wideServer] = await Promise.all([
    startServer({ env: { CDKTF_OUTDIR: keyStack, INIT_CWD: userDir }, args: ['--in-memory'] }),
    startServer({ env: { CDKTF_OUTDIR: iamStack }, args: ['--in-memory'] }),
    // Every interface: the open API's invoke API must still want signatures.
    startServer({ env: { CDKTF_OUTDIR: openStack, HOST: '0.0.0.0' }, args: ['--in-memory'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([keyServer, iamServer, wideServer].map((server) => server?.stop()));
  cleanUp();
});

const invokeUrl = (server: RunningServer, name = FUNCTION) => `${server.url}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;

interface Signing {
  readonly accessKey?: string;
  readonly secret?: string;
  readonly headers?: Record<string, string>;
}

/** POSTs `body` signed with SigV4 for service lambda, as the AWS SDKs sign (the path encoded once more). */
function signedInvoke(url: string, body: string, { accessKey = 'local', secret = 'local', headers = {} }: Signing = {}): Promise<Response> {
  const target = new URL(url);
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const signed: Record<string, string> = { host: target.host, 'x-amz-date': amzDate, ...headers };
  const names = Object.keys(signed).sort();
  const scope = `${amzDate.slice(0, 8)}/${REGION}/lambda/aws4_request`;
  const canonicalRequest = [
    'POST',
    target.pathname.split('/').map((segment) => encodeURIComponent(segment)).join('/'),
    '',
    names.map((name) => `${name}:${signed[name]}\n`).join(''),
    names.join(';'),
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = [amzDate.slice(0, 8), REGION, 'lambda', 'aws4_request'].reduce<Buffer | string>((k, part) => createHmac('sha256', k).update(part).digest(), `AWS4${secret}`);
  const authorization = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${createHmac('sha256', key).update(stringToSign).digest('hex')}`;
  return request(url, { method: 'POST', headers: { ...signed, authorization }, body });
}

/** What curl sends with `-d`: no signature at all. */
const unsigned = (url: string, body: string) => curlPost(url, body);

function expectRefused(response: Response, status: number, errorType: string, message: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['x-amzn-errortype']).toBe(errorType);
  const body = JSON.parse(response.body);
  expect(body.message ?? body.Message).toBe(message);
}

/** The item, read through the REST API with the stack's API key as the banner prints it. */
async function readThroughApi(id: string): Promise<unknown> {
  const key = /^ {2}\S+: (\S+) {2}\(generated at startup/m.exec(keyServer.output())?.[1] ?? '';
  const read = await request(`${keyServer.url}/prod/DynamoDBManager`, { method: 'POST', headers: { 'x-api-key': key }, body: JSON.stringify({ operation: 'read', payload: { Key: { id } } }) });
  expect(read.status).toBe(200);
  return JSON.parse(read.body);
}

describe('no side door around the REST API', () => {
  test('with API_KEY, an unsigned create through the invoke API gets 403 Missing Authentication Token and writes nothing', async () => {
    expectRefused(await unsigned(invokeUrl(keyServer), CREATE), 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    expect(await readThroughApi('side-door')).toEqual({});
  });

  test('with AWS_IAM, the same; a request signed by the local credentials runs the function', async () => {
    expectRefused(await unsigned(invokeUrl(iamServer), CREATE), 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    expect(await signedInvoke(invokeUrl(iamServer), PING)).toMatchObject({ status: 200, body: '"pong"' });
  });

  test('a wrong secret gets 403 InvalidSignatureException, another key 403 UnrecognizedClientException; nothing runs', async () => {
    const wrong = await signedInvoke(invokeUrl(keyServer), CREATE, { secret: 'not-local' });
    expect(wrong.status).toBe(403);
    expect(wrong.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(JSON.parse(wrong.body).message).toMatch(/^The request signature we calculated does not match the signature you provided\./);
    const other = await signedInvoke(invokeUrl(keyServer), CREATE, { accessKey: 'AKIAOTHERACCOUNTKEY1', secret: 'other' });
    expectRefused(other, 403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    expect(await readThroughApi('side-door')).toEqual({});
  });

  test('the banner says which credentials to sign with, and prints the tutorial\'s `aws lambda invoke` with them', () => {
    expect(keyServer.output()).toContain(
      '  SigV4-signed requests only (the REST API requires authorization): access key local, secret key local, region us-east-2, service lambda; ' +
        'the AWS CLI signs with them given AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-2',
    );
    expect(keyServer.output()).toContain(`  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-2 aws lambda invoke --endpoint-url ${keyServer.url} --function-name ${FUNCTION}`);
  });

  if (!awsCli) {
    console.warn('!!! No working `aws` on PATH: the AWS CLI itself is NOT run against the signed invoke API (.ci/run installs it).');
    if (process.env.CI) throw new Error('CI is set but no AWS CLI is on PATH');
  }
  (awsCli ? test : test.skip)("the banner's `aws lambda invoke`, pasted into a shell, runs the function; with a wrong secret the AWS CLI reports the signature error", () => {
    const line = keyServer.output().split('\n').find((l) => l.includes('aws lambda invoke'))!.trim();
    // Credentials of the user's own: the line must carry the ones the server takes.
    const env = { ...process.env, ...AWS_CLI_ENV, AWS_ACCESS_KEY_ID: 'someone-else', AWS_SECRET_ACCESS_KEY: 'else' };
    const run = spawnSync('sh', ['-c', line], { cwd: userDir, env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/"StatusCode": 200[\s\S]*"Success"$/);
    expect(fs.readFileSync(path.join(userDir, 'outputfile.txt'), 'utf8')).toBe('"Success"');

    const dir = tempDir('cli');
    fs.writeFileSync(path.join(dir, 'input.txt'), PING);
    const wrong = spawnSync('aws', ['lambda', 'invoke', '--endpoint-url', keyServer.url, '--function-name', FUNCTION, '--payload', 'fileb://input.txt', 'out.txt'], {
      cwd: dir,
      env: { ...process.env, ...AWS_CLI_ENV, AWS_SECRET_ACCESS_KEY: 'not-local' },
      encoding: 'utf8',
    });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('An error occurred (InvalidSignatureException) when calling the Invoke operation');
  });
});

describe('beyond loopback (HOST=0.0.0.0), with an open REST API', () => {
  test('the invoke API still takes signed requests only, and says so in the banner', async () => {
    expectRefused(await unsigned(invokeUrl(wideServer), PING), 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    expect(await signedInvoke(invokeUrl(wideServer), PING)).toMatchObject({ status: 200, body: '"pong"' });
    expect(wideServer.output()).toContain('  SigV4-signed requests only (HOST=0.0.0.0 lets other machines reach it)');
  });

  test("a function error's trace shows the code at /var/task, as Lambda's does, and no path of this machine", async () => {
    const response = await signedInvoke(invokeUrl(wideServer), '{"operation":"drop"}');
    expect(response.headers['x-amz-function-error']).toBe('Unhandled');
    const { trace } = JSON.parse(response.body) as { trace: string[] };
    const frames = trace.filter((line) => line.includes('index.js'));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toMatch(/\(\/var\/task\/index\.js:\d+:\d+\)$|at \/var\/task\/index\.js:\d+:\d+$/);
    expect(response.body).not.toContain(os.tmpdir());
  });
});

describe('what Lambda refuses', () => {
  test("a function ARN of another region or account is not found, as in Lambda (404 ResourceNotFoundException); the stack's own ARN is", async () => {
    const invoke = (name: string) => signedInvoke(invokeUrl(keyServer, name), PING);
    expectRefused(
      await invoke(`arn:aws:lambda:eu-west-1:999999999999:function:${FUNCTION}`),
      404,
      'ResourceNotFoundException',
      "Functions from 'eu-west-1' are not reachable in this region ('us-east-2')",
    );
    expectRefused(
      await invoke(`arn:aws:lambda:us-east-2:999999999999:function:${FUNCTION}`),
      404,
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:us-east-2:999999999999:function:${FUNCTION}`,
    );
    expectRefused(await invoke(`999999999999:function:${FUNCTION}`), 404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-2:999999999999:function:${FUNCTION}`);
    expect(await invoke(`arn:aws:lambda:us-east-2:000000000000:function:${FUNCTION}`)).toMatchObject({ status: 200, body: '"pong"' });
  });

  test('an Event invocation whose payload is not JSON gets 400 InvalidRequestContentException instead of a 202 for an event dropped later; a JSON one is queued and runs', async () => {
    const event = { 'x-amz-invocation-type': 'Event' };
    const refused = await signedInvoke(invokeUrl(keyServer), 'not json', { headers: event });
    expect(refused.status).toBe(400);
    expect(refused.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(JSON.parse(refused.body).Message).toMatch(/^Could not parse request body into json: Unexpected token/);

    const queued = await signedInvoke(invokeUrl(keyServer), '{"operation":"create","payload":{"Item":{"id":"queued"}}}', { headers: event });
    expect(queued.status).toBe(202);
    const deadline = Date.now() + 10_000;
    while (JSON.stringify(await readThroughApi('queued')) === '{}' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readThroughApi('queued')).toEqual({ Item: { id: 'queued' } });
  });
});
