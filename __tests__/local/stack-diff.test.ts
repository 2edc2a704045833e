/**
 * The block watch mode prints after a reload names what changed as a Terraform plan
 * would: resources, data sources and outputs by address, added, changed (with the
 * arguments that differ) or removed; a function's new code is a change even when
 * only the asset's content hash in its path says so.
 */
import { describeChanges, type StackJson, stackChanges } from '../../local/watch/stack-diff';

const ASSET = (hash: string) => `assets/handler_package_bundle_F5AF49CC/${hash}/function.zip`;

const before: StackJson = {
  resource: {
    aws_lambda_function: { function: { function_name: 'f', filename: ASSET('0123456789ABCDEF0123456789ABCDEF'), '//': { metadata: { path: 'a' } } } },
    aws_api_gateway_method_settings: { throttling: { settings: { throttling_rate_limit: 100 } } },
    aws_dynamodb_table: { items: { name: 'lambda-apigateway' } },
  },
  data: { aws_caller_identity: { current: {} } },
  output: { url: { value: 'a' } },
};

test('names additions, changes (with their arguments) and removals by address, in address order, as a plan does', () => {
  const after: StackJson = {
    resource: {
      aws_lambda_function: { function: { function_name: 'f', filename: ASSET('0123456789ABCDEF0123456789ABCDEF') } },
      aws_api_gateway_method_settings: { throttling: { settings: { throttling_rate_limit: 1 } } },
      aws_dynamodb_table: { orders: { name: 'orders' } },
    },
    data: { aws_caller_identity: { current: {} } },
    output: { url: { value: 'b' } },
  };
  const code = new Map([['aws_lambda_function.function', 'same']]);
  expect(describeChanges(stackChanges({ json: before, code }, { json: after, code }))).toEqual([
    '  ~ aws_api_gateway_method_settings.throttling (settings)',
    '  - aws_dynamodb_table.items',
    '  + aws_dynamodb_table.orders',
    '  ~ output.url (value)',
  ]);
});

test("a function's code is compared by its content, not by the asset hash in its path", () => {
  const rehashed: StackJson = {
    ...before,
    resource: { ...before.resource, aws_lambda_function: { function: { function_name: 'f', filename: ASSET('FEDCBA9876543210FEDCBA9876543210') } } },
  };
  const same = new Map([['aws_lambda_function.function', 'digest 1']]);
  expect(stackChanges({ json: before, code: same }, { json: rehashed, code: same })).toEqual([]);
  const edited = new Map([['aws_lambda_function.function', 'digest 2']]);
  expect(describeChanges(stackChanges({ json: before, code: same }, { json: rehashed, code: edited }))).toEqual(['  ~ aws_lambda_function.function (code)']);
});
