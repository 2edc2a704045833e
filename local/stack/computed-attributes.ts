/**
 * What AWS would assign to the resources the local server emulates: ids, ARNs and
 * URLs, made up but stable for a given stack, so that references to them resolve
 * as a plan would resolve them after an apply.
 */
import { LOCAL_ACCOUNT_ID } from '../shared/local-account';
import { type ComputedAttribute, type Declared, type ResolvedDocument, syntheticId } from './resolved-document';

/** The attributes AWS assigns, for a stack in `region` served at `baseUrl`. */
export function computedAttributes(region: string, baseUrl: string): ComputedAttribute {
  return (resource: Declared, attribute: string, stack: ResolvedDocument): unknown => {
    const account = LOCAL_ACCOUNT_ID;
    const attr = (name: string) => stack.stringAttribute(resource, name);
    switch (`${resource.type}.${attribute}`) {
      case 'aws_api_gateway_rest_api.id':
        return syntheticId(resource.address, 10);
      case 'aws_api_gateway_rest_api.root_resource_id':
        return syntheticId(`${resource.address}/`, 10);
      case 'aws_api_gateway_rest_api.execution_arn':
        return `arn:aws:execute-api:${region}:${account}:${attr('id')}`;
      case 'aws_api_gateway_rest_api.arn':
        return `arn:aws:apigateway:${region}::/restapis/${attr('id')}`;
      case 'aws_api_gateway_resource.path': {
        const parentId = attr('parent_id');
        const parent = stack.all('aws_api_gateway_resource').find((r) => stack.attribute(r, 'id') === parentId);
        return `${parent ? stack.stringAttribute(parent, 'path') : ''}/${attr('path_part')}`;
      }
      case 'aws_api_gateway_stage.invoke_url':
        return `${baseUrl}/${attr('stage_name')}`;
      case 'aws_api_gateway_stage.execution_arn': {
        const api = stack.all('aws_api_gateway_rest_api').find((r) => stack.attribute(r, 'id') === attr('rest_api_id'));
        return api ? `${stack.stringAttribute(api, 'execution_arn')}/${attr('stage_name')}` : undefined;
      }
      case 'aws_lambda_function.arn':
        return `arn:aws:lambda:${region}:${account}:function:${attr('function_name')}`;
      case 'aws_lambda_function.invoke_arn':
        return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${attr('arn')}/invocations`;
      case 'aws_lambda_function.qualified_arn':
        return `${attr('arn')}:$LATEST`;
      case 'aws_lambda_function.qualified_invoke_arn':
        return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${attr('qualified_arn')}/invocations`;
      case 'aws_lambda_function.version':
        return '$LATEST';
      case 'aws_lambda_function.id':
        return attr('function_name');
      case 'aws_dynamodb_table.arn':
        return `arn:aws:dynamodb:${region}:${account}:table/${attr('name')}`;
      case 'aws_dynamodb_table.id':
        return attr('name');
      case 'aws_iam_role.arn':
        return `arn:aws:iam::${account}:role/${attr('name')}`;
      case 'aws_cloudwatch_log_group.arn':
        return `arn:aws:logs:${region}:${account}:log-group:${attr('name')}`;
      default:
        // Every resource has an id; its value only has to be stable and unique.
        return attribute === 'id' ? syntheticId(resource.address, 10) : undefined;
    }
  };
}
