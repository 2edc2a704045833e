/**
 * Signature Version 4 verification for methods with AWS_IAM authorization (service
 * execute-api) and for the Lambda invoke API when it requires signing (service
 * lambda), with AWS's answers (403, its messages, where known) when a request is
 * not signed, is signed badly or by credentials it does not know.
 *
 * What is checked, for the request as received (Authorization header, or the
 * X-Amz-* query parameters of a presigned URL): the algorithm and the signature's
 * parts; the credential scope (the stack's region, the service,
 * aws4_request) and its date against X-Amz-Date (or Date); the clock (5 minutes
 * either way, or X-Amz-Expires for a presigned URL); the access key; and the
 * signature itself, recomputed over the canonical request with the body's SHA-256.
 *
 * What is not: IAM. The only credentials are LOCAL_CREDENTIALS (./local-account), and they may call
 * every method and function; AWS would also evaluate the caller's policies
 * (execute-api:Invoke, lambda:InvokeFunction) and resource policies. Nor are there temporary credentials: a request
 * carrying X-Amz-Security-Token is answered as one signed by an unknown key.
 * Messages are those of AWS's SigV4 errors where known; the one for an invalid
 * X-Amz-Expires is worded in their style.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { percentDecode } from './http';
import { LOCAL_CREDENTIALS } from './local-account';

/** The service REST API requests are signed for. */
export const SIGV4_SERVICE = 'execute-api';
/** The service Lambda's API requests are signed for. */
export const LAMBDA_SIGNING_SERVICE = 'lambda';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Why a request is refused: the gateway response to give, and its x-amzn-ErrorType and message. */
export interface SignatureFailure {
  readonly responseType: 'MISSING_AUTHENTICATION_TOKEN' | 'INVALID_SIGNATURE';
  readonly errorType: string;
  readonly message: string;
}

/** The signature's parts, wherever the request carries them. */
interface Signed {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  /** X-Amz-Date, or the Date header in ISO 8601 basic format. */
  readonly date: string;
  /** A presigned URL's lifetime; undefined for a signed header. */
  readonly expiresSeconds: number | undefined;
  readonly securityToken: string | undefined;
}

type QueryPair = readonly [name: string, value: string];

/** undefined when `req` is signed by LOCAL_CREDENTIALS for `region` and `expectedService`; otherwise why not. */
export function verifySignature(req: IncomingMessage, body: Buffer, region: string, expectedService: string = SIGV4_SERVICE): SignatureFailure | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
  const headers = headerValues(req);

  const parsed = signatureParts(headers, query);
  if (!('credential' in parsed)) return parsed;
  const { credential, signedHeaders, signature, date, expiresSeconds, securityToken } = parsed;

  const scope = credential.split('/');
  if (scope.length !== 5) {
    return incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const [accessKeyId, scopeDate, scopeRegion, service, terminator] = scope;
  if (terminator !== 'aws4_request') return invalid(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
  if (service !== expectedService) return invalid(`Credential should be scoped to correct service: '${expectedService}'. `);
  if (scopeRegion !== region) return invalid(`Credential should be scoped to a valid region, not '${scopeRegion}'. `);

  const time = parseIsoBasic(date);
  if (time === undefined) return invalid(`Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  if (scopeDate !== date.slice(0, 8)) {
    return invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${date.slice(0, 8)}', from '${date}'.`);
  }
  const clock = clockProblem(time, Date.now(), expiresSeconds);
  if (clock) return invalid(clock);

  if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId || securityToken !== undefined) {
    return { responseType: 'INVALID_SIGNATURE', errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const signedNames = signedHeaders.split(';');
  if (!signedNames.includes('host')) return invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  const canonicalRequest = [
    req.method ?? 'GET',
    canonicalPath(rawPath),
    canonicalQuery(expiresSeconds === undefined ? query : query.filter(([name]) => name !== 'X-Amz-Signature')),
    signedNames.map((name) => `${name}:${(headers.get(name) ?? []).join(',')}\n`).join(''),
    signedHeaders,
    sha256(body),
  ].join('\n');
  const stringToSign = [ALGORITHM, date, `${scopeDate}/${scopeRegion}/${service}/aws4_request`, sha256(canonicalRequest)].join('\n');
  const expected = hmac(signingKey(LOCAL_CREDENTIALS.secretAccessKey, scopeDate, scopeRegion, service), stringToSign).toString('hex');
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    // AWS shows both strings, so that a client can find where its signing differs.
    return invalid(
      `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }
  return undefined;
}

/** The signature's parts, from the Authorization header or a presigned URL's query; a failure when there is none or it is incomplete. */
function signatureParts(headers: ReadonlyMap<string, readonly string[]>, query: readonly QueryPair[]): Signed | SignatureFailure {
  const authorization = headers.get('authorization')?.join(',');
  const fromQuery = (name: string) => query.find(([key]) => key === name)?.[1];
  const presigned = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'].some((name) => fromQuery(name) !== undefined);
  if (authorization !== undefined && presigned) {
    return incomplete(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (presigned) {
    const [algorithm, credential, signedHeaders, signature, date, expires] = [
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-SignedHeaders',
      'X-Amz-Signature',
      'X-Amz-Date',
      'X-Amz-Expires',
    ].map(fromQuery);
    if (algorithm !== ALGORITHM || !credential || !signedHeaders || !signature || !date) {
      return incomplete("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'. Re-examine the query-string parameters.");
    }
    const expiresSeconds = /^\d{1,7}$/.test(expires ?? '') ? Number(expires) : NaN;
    if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_EXPIRES_SECONDS)) {
      return invalid(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS} (a week), not '${expires ?? ''}'.`);
    }
    return { credential, signedHeaders, signature, date, expiresSeconds, securityToken: fromQuery('X-Amz-Security-Token') };
  }
  if (authorization === undefined) {
    return { responseType: 'MISSING_AUTHENTICATION_TOKEN', errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  }
  const fields = new Map<string, string>();
  if (authorization.startsWith(`${ALGORITHM} `)) {
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const amzDate = headers.get('x-amz-date')?.[0];
  const httpDate = headers.get('date')?.[0];
  // An unparsable Date goes on as it is, for the date check to name it.
  const date = amzDate ?? (httpDate === undefined ? undefined : (isoBasic(Date.parse(httpDate)) ?? httpDate));
  const [credential, signedHeaders, signature] = ['Credential', 'SignedHeaders', 'Signature'].map((name) => fields.get(name) || undefined);
  if (!credential || !signedHeaders || !signature || date === undefined) {
    // AWS lists every missing part, in this order, and echoes the header.
    const missing = [
      credential ? '' : "Authorization header requires 'Credential' parameter.",
      signature ? '' : "Authorization header requires 'Signature' parameter.",
      signedHeaders ? '' : "Authorization header requires 'SignedHeaders' parameter.",
      date !== undefined ? '' : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    ].filter(Boolean);
    return incomplete(`${missing.join(' ')} Authorization=${authorization}`);
  }
  return { credential, signedHeaders, signature, date, expiresSeconds: undefined, securityToken: headers.get('x-amz-security-token')?.[0] };
}

function clockProblem(signedAt: number, now: number, expiresSeconds: number | undefined): string | undefined {
  const validUntil = expiresSeconds === undefined ? signedAt + MAX_CLOCK_SKEW_MS : signedAt + expiresSeconds * 1000;
  if (now > validUntil) {
    const window = expiresSeconds === undefined ? '5 min.' : `${expiresSeconds} sec.`;
    return `Signature expired: ${isoBasic(signedAt)} is now earlier than ${isoBasic(now - (validUntil - signedAt))} (${isoBasic(now)} - ${window})`;
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    return `Signature not yet current: ${isoBasic(signedAt)} is still later than ${isoBasic(now + MAX_CLOCK_SKEW_MS)} (${isoBasic(now)} + 5 min.)`;
  }
  return undefined;
}

function incomplete(message: string): SignatureFailure {
  return { responseType: 'INVALID_SIGNATURE', errorType: 'IncompleteSignatureException', message };
}

function invalid(message: string): SignatureFailure {
  return { responseType: 'INVALID_SIGNATURE', errorType: 'InvalidSignatureException', message };
}

/** Header values by lower-case name, each trimmed with inner runs of spaces made one, as SigV4 canonicalises them. */
function headerValues(req: IncomingMessage): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1].trim().replace(/\s+/g, ' ');
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return values;
}

/** Name/value pairs of a raw query string, percent-decoded; `+` stays a plus, as SigV4 clients encode a space as %20. */
function parseQuery(raw: string): QueryPair[] {
  return raw
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return [percentDecode(eq < 0 ? pair : pair.slice(0, eq)), percentDecode(eq < 0 ? '' : pair.slice(eq + 1))] as const;
    });
}

function canonicalQuery(pairs: readonly QueryPair[]): string {
  return pairs
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** The path as received, normalised as the AWS SDKs do (no empty, `.` or `..` segments) and encoded once more. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return `/${segments.map(uriEncode).join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
}

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseIsoBasic(date: string): number | undefined {
  const match = ISO_BASIC.exec(date);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** `20250101T120000Z`; undefined for an invalid time. */
function isoBasic(ms: number): string | undefined {
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
