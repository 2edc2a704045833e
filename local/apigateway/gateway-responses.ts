/** API Gateway's own answers (gateway responses) that the local REST API gives, with their defaults. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SIGNATURE_MISMATCH } from '../shared/sigv4';

/** API Gateway's built-in gateway responses this server gives, with their default status and message. */
export const GATEWAY_RESPONSES = {
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' },
  INVALID_SIGNATURE: { status: 403, message: SIGNATURE_MISMATCH, errorType: 'InvalidSignatureException' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: undefined },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Missing required request parameters', errorType: 'BadRequestException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type', errorType: 'UnsupportedMediaTypeException' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out', errorType: 'InternalServerErrorException' },
  INTEGRATION_FAILURE: { status: 502, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

/**
 * The last resort for a request whose handling threw: API Gateway's plain 500, or,
 * when part of an answer is out already, a closed connection, so that the client
 * sees the failure and the server goes on serving others.
 */
export function answerInternalError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  process.stderr.write(`Internal error serving ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}\n`);
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  // Headers set before the failure belong to an answer that is not given.
  for (const name of res.getHeaderNames()) if (name !== 'x-amzn-requestid') res.removeHeader(name);
  res.statusCode = 500;
  res.setHeader('Content-Type', 'application/json');
  res.end('{"message":"Internal server error"}');
}
