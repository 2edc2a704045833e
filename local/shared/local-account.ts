/**
 * The AWS account this machine's emulation stands for: the account id in every ARN
 * the local server makes up, and the only credentials it accepts where a request
 * must be signed (the ones its banner tells the AWS CLI and curl to use).
 */

export const LOCAL_ACCOUNT_ID = '000000000000';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
