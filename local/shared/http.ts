/** Reading what a client sent, as each local endpoint (REST API, Lambda invoke API, DynamoDB) needs it. */
import type { IncomingMessage } from 'node:http';

/** How much of an oversized body is read and dropped, so that the client, still sending, gets the answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads the request body, up to `limit` bytes; undefined if it is longer. An
 * oversized body is read to its end and dropped (up to DRAIN_LIMIT), so that a
 * client still sending it can read the answer, and no memory beyond `limit` is held.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length']) > DRAIN_LIMIT) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
      else if (length > DRAIN_LIMIT) {
        req.pause();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(length > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

/** Percent-decodes `text`, keeping it as received where it is malformed (a stray `%`, broken UTF-8): a client's bad URL must not throw mid-request. */
export function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
