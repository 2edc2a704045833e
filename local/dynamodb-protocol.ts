/**
 * What the DynamoDB front (./dynamodb, main thread) and the embedded DynamoDB's
 * worker (./dynamodb-worker) say to each other, and what they share.
 */
import type { TableModel } from './stack-model';

export interface DynamoDBWorkerData {
  /** undefined: in memory only. */
  readonly dataDir: string | undefined;
  readonly tables: readonly TableModel[];
  /** Int32 slots the worker writes and the front reads: STARTED_SLOT and TICK_SLOT. */
  readonly state: SharedArrayBuffer;
}

/** The sequence number of the request the worker last began. */
export const STARTED_SLOT = 0;
/** Advanced by the worker's event loop every TICK_MS while it is free: stalled when it stops. */
export const TICK_SLOT = 1;
export const TICK_MS = 100;
export const SHARED_SLOTS = 2;

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

/** A batch of requests, or the request to close the database and say `stopped`. */
export type ToDynamoDBWorker = readonly DynamoDBRequest[] | 'stop';

export type FromDynamoDBWorker =
  | { readonly kind: 'ready'; readonly created: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'responses'; readonly responses: readonly DynamoDBResponse[] }
  /** A write the storage refused (a full disk, say); the request got InternalServerError. */
  | { readonly kind: 'storage-error'; readonly message: string }
  | { readonly kind: 'stopped' };

/** The error type prefix DynamoDB puts in `__type`. */
export const ERROR_TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** DynamoDB's answer when it fails on its side: HTTP 500, InternalServerError (the SDKs retry it). */
export function internalServerError(): Omit<DynamoDBResponse, 'seq'> {
  return errorResponse(500, 'InternalServerError', 'Internal server error');
}

/** A DynamoDB error answer: JSON with `__type` and `message`, as the SDKs and the AWS CLI parse it. */
export function errorResponse(status: number, errorType: string, message: string): Omit<DynamoDBResponse, 'seq'> {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: `${ERROR_TYPE_PREFIX}${errorType}`, message }),
  };
}
