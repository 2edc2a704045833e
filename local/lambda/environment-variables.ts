/** The environment variables of a function's execution environment, as Lambda sets them. */
import type { FunctionModel } from '../stack/model';

/**
 * The function's own variables, then those Lambda sets (which win: it reserves the
 * AWS_* and LAMBDA_* names), then `extra` (the local endpoints, such as
 * AWS_ENDPOINT_URL_DYNAMODB). LAMBDA_TASK_ROOT is added once the code is unpacked.
 */
export function lambdaEnvironment(fn: FunctionModel, logStream: string, region: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  return {
    // The stack's variables first: Lambda reserves the AWS_* and LAMBDA_* names below, so they win.
    ...fn.environment,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    // Lambda tells the runtime (and libraries such as Powertools) the JSON log format and its level this way.
    ...(fn.logFormat === 'JSON' && { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: fn.applicationLogLevel }),
    // Credentials of no account: the local services take any, and no real account is ever reached with them.
    AWS_ACCESS_KEY_ID: 'LOCALFAKEACCESSKEY',
    AWS_SECRET_ACCESS_KEY: 'local-fake-secret-access-key',
    AWS_SESSION_TOKEN: 'local-fake-session-token',
    // When no Node.js of the runtime's major is found, the SDK would warn at each environment's
    // start that this one is older; the server's startup notes say so once.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}
