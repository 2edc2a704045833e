import { ERROR_CLASSES } from '../../function/error-contract';

/** The statuses the method answers: success, and one per error class of the handler's contract. */
const STATUSES = ['200', ...Object.values(ERROR_CLASSES).map(String)];

/** The addresses the README lists for ops; `terraform state list` shows these. */
export const DOCUMENTED_ADDRESSES = [
  'aws_api_gateway_deployment.api',
  'aws_api_gateway_integration.post',
  ...STATUSES.flatMap((status) => [
    `aws_api_gateway_integration_response.post_${status}`,
    `aws_api_gateway_method_response.post_${status}`,
  ]),
  'aws_api_gateway_method.post',
  'aws_api_gateway_method_settings.throttling',
  'aws_api_gateway_model.request',
  'aws_api_gateway_request_validator.body',
  'aws_api_gateway_resource.dynamodb_manager',
  'aws_api_gateway_rest_api.api',
  'aws_api_gateway_stage.stage',
  'aws_cloudwatch_log_group.function_logs',
  'aws_dynamodb_table.table',
  'aws_iam_role.role',
  'aws_iam_role_policy.role_policy',
  'aws_lambda_function.function',
  'aws_lambda_permission.api_stage_invoke',
  'aws_lambda_permission.api_test_invoke',
].sort();

/** Data sources, read at plan time. */
export const DOCUMENTED_DATA_SOURCES = [
  'data.archive_file.function_package',
  'data.aws_iam_policy_document.assume_role',
];

/** What API_CORS_ORIGINS adds: the preflight's method and its answer, and API Gateway's own errors. */
export const CORS_ADDRESSES = [
  'aws_api_gateway_gateway_response.default_4xx',
  'aws_api_gateway_gateway_response.default_5xx',
  'aws_api_gateway_integration.options',
  'aws_api_gateway_integration_response.options_200',
  'aws_api_gateway_method.options',
  'aws_api_gateway_method_response.options_200',
];
