/**
 * A call of the server's own to the embedded DynamoDB (creating tables, the console's
 * view of them), made over DynamoDB's JSON protocol like any client's.
 */

/** The headers of a DynamoDB API call of the server's own: dynalite checks that a signature is there, not what it is. */
export function ownRequestHeaders(operation: string): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `DynamoDB_20120810.${operation}`,
    'x-amz-date': '20250101T000000Z',
    authorization: 'AWS4-HMAC-SHA256 Credential=local/20250101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
  };
}
