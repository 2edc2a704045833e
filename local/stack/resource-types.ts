/**
 * Which Terraform resource types, and which of their attributes, the local server
 * serves, refuses or may ignore.
 */

/**
 * The attributes of each served type that the server reads, or that cannot change
 * what a client sees. A configured attribute outside these lists is refused, so a
 * stack feature added later cannot be silently ignored.
 */
export const KNOWN_ATTRIBUTES = {
  aws_api_gateway_rest_api: ['name', 'description', 'endpoint_configuration', 'tags', 'api_key_source', 'put_rest_api_mode', 'fail_on_warnings'],
  aws_api_gateway_resource: ['rest_api_id', 'parent_id', 'path_part'],
  aws_api_gateway_method: [
    'rest_api_id',
    'resource_id',
    'http_method',
    'authorization',
    'api_key_required',
    'operation_name',
    'request_models',
    'request_validator_id',
    'request_parameters',
  ],
  aws_api_gateway_request_validator: ['rest_api_id', 'name', 'validate_request_body', 'validate_request_parameters'],
  aws_api_gateway_model: ['rest_api_id', 'name', 'description', 'content_type', 'schema'],
  aws_api_gateway_method_settings: ['rest_api_id', 'stage_name', 'method_path', 'settings'],
  aws_api_gateway_api_key: ['name', 'description', 'enabled', 'value', 'customer_id', 'tags'],
  // quota_settings is read only to refuse it, with a message of its own.
  aws_api_gateway_usage_plan: ['name', 'description', 'api_stages', 'throttle_settings', 'quota_settings', 'product_code', 'tags'],
  aws_api_gateway_usage_plan_key: ['key_id', 'key_type', 'usage_plan_id'],
  aws_api_gateway_integration: [
    'rest_api_id',
    'resource_id',
    'http_method',
    'type',
    'uri',
    'integration_http_method',
    'passthrough_behavior',
    'timeout_milliseconds',
    'request_templates',
    'credentials',
    'connection_type',
    'cache_key_parameters',
    'cache_namespace',
  ],
  aws_api_gateway_method_response: ['rest_api_id', 'resource_id', 'http_method', 'status_code', 'response_models', 'response_parameters'],
  aws_api_gateway_integration_response: ['rest_api_id', 'resource_id', 'http_method', 'status_code', 'selection_pattern', 'response_templates', 'response_parameters'],
  aws_api_gateway_deployment: ['rest_api_id', 'description', 'triggers', 'stage_name', 'stage_description', 'variables'],
  aws_api_gateway_stage: [
    'rest_api_id',
    'deployment_id',
    'stage_name',
    'description',
    'variables',
    'tags',
    'xray_tracing_enabled',
    'access_log_settings',
    'cache_cluster_enabled',
    'cache_cluster_size',
    'documentation_version',
  ],
  aws_api_gateway_gateway_response: ['rest_api_id', 'response_type', 'status_code', 'response_templates', 'response_parameters'],
  aws_lambda_function: [
    'function_name',
    'handler',
    'runtime',
    'filename',
    'source_code_hash',
    'role',
    'description',
    'memory_size',
    'timeout',
    'environment',
    'logging_config',
    'tags',
    'publish',
    'architectures',
    'tracing_config',
    'vpc_config',
    'dead_letter_config',
    'ephemeral_storage',
    'kms_key_arn',
    'reserved_concurrent_executions',
    'skip_destroy',
    'replace_security_groups_on_destroy',
  ],
  aws_lambda_permission: ['statement_id', 'statement_id_prefix', 'action', 'function_name', 'principal', 'source_arn', 'source_account', 'qualifier'],
  aws_dynamodb_table: [
    'name',
    'hash_key',
    'range_key',
    'attribute',
    'global_secondary_index',
    'local_secondary_index',
    'billing_mode',
    'read_capacity',
    'write_capacity',
    'point_in_time_recovery',
    'deletion_protection_enabled',
    'server_side_encryption',
    'table_class',
    'tags',
    'ttl',
    'stream_enabled',
    'stream_view_type',
  ],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** The resource types the server serves, each checked attribute by attribute against KNOWN_ATTRIBUTES. */
export type ServedType = keyof typeof KNOWN_ATTRIBUTES;

export function isServed(type: string): type is ServedType {
  return Object.hasOwn(KNOWN_ATTRIBUTES, type);
}

/** Types that would change what a client of the API sees, which the server does not reproduce. */
export const REFUSED_TYPES: Readonly<Record<string, string>> = {
  aws_api_gateway_rest_api_policy: 'a resource policy can deny requests',
  aws_lambda_function_url: 'function URLs are another endpoint the server does not offer',
  aws_lambda_layer_version: 'layers add code the server does not load',
};

/** Types with no effect on what a local client sees: access control, logging, accounts. */
export const SILENT_TYPES: ReadonlySet<string> = new Set([
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_iam_role_policy_attachment',
  'aws_cloudwatch_log_group',
  'aws_api_gateway_account',
]);
