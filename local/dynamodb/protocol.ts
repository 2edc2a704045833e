/**
 * What the DynamoDB front (./embedded-dynamodb and ./worker-host, main thread) and
 * the embedded DynamoDB's worker (./worker) say to each other, and what they share.
 */
import type { TableModel } from '../stack/model';

export interface DynamoDBWorkerData {
  /** undefined: in memory only. */
  readonly dataDir: string | undefined;
  readonly tables: readonly TableModel[];
  /** Int32 slots the worker writes and the front reads: STARTED_SLOT, BUSY_SLOT and TICK_SLOT. */
  readonly state: SharedArrayBuffer;
}

/** The sequence number of the request the worker last began. */
export const STARTED_SLOT = 0;
/** The sequence number of the request whose synchronous part the worker is running, or 0. */
export const BUSY_SLOT = 1;
/** Advanced by the worker's event loop every TICK_MS while it is free: stalled when it stops. */
export const TICK_SLOT = 2;
export const TICK_MS = 100;
export const SHARED_SLOTS = 3;

/** One HTTP request, as the front received it. */
export interface DynamoDBRequest {
  /** Increasing from 1; the worker serves requests in this order. */
  readonly seq: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface DynamoDBResponse {
  readonly seq: number;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An answer to a client, whoever gives it (the worker, or the front for it). */
export type DynamoDBAnswer = Omit<DynamoDBResponse, 'seq'>;

/** A batch of requests, or the request to close the database and say `stopped`. */
export type ToDynamoDBWorker = readonly DynamoDBRequest[] | 'stop';

export type FromDynamoDBWorker =
  | { readonly kind: 'ready'; readonly created: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'responses'; readonly responses: readonly DynamoDBResponse[] }
  /** A write the storage refused (a full disk, say); the request got InternalServerError. */
  | { readonly kind: 'storage-error'; readonly message: string }
  | { readonly kind: 'stopped' };

/** DynamoDB's `__type` for a request it refuses as invalid (HTTP 400). */
export const VALIDATION_EXCEPTION = 'com.amazon.coral.validate#ValidationException';
/** DynamoDB's `__type` when it fails on its side (HTTP 500); the SDKs retry it. */
export const INTERNAL_SERVER_ERROR = 'com.amazonaws.dynamodb.v20120810#InternalServerError';

export function internalServerError(): DynamoDBAnswer {
  return errorResponse(500, INTERNAL_SERVER_ERROR, 'Internal server error');
}

/** A DynamoDB error answer: JSON with `__type` and `message`, as the SDKs and the AWS CLI parse it. */
export function errorResponse(status: number, type: string, message: string): DynamoDBAnswer {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: type, message }) };
}
