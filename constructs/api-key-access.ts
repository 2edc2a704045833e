import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayUsagePlan } from '@cdktf/provider-aws/lib/api-gateway-usage-plan';
import { ApiGatewayUsagePlanKey } from '@cdktf/provider-aws/lib/api-gateway-usage-plan-key';
import { Construct } from 'constructs';
import { matching, type PropRules, STAGE_NAME_RULE, THROTTLE_BURST_RULE, THROTTLE_RATE_RULE, validateProps } from './props';

export interface ApiKeyAccessProps {
  readonly restApiId: string;
  readonly stageName: string;
  /** Name of the key and the usage plan. */
  readonly name: string;
  /** Steady requests per second allowed to the key. */
  readonly rateLimit: number;
  /** Burst allowed to the key, in requests. */
  readonly burstLimit: number;
}

/** API Gateway's rules for the props (every one is required: there are no defaults). */
export const API_KEY_ACCESS_RULES = {
  stageName: STAGE_NAME_RULE,
  name: matching(/\S/, 'a name that is not blank'),
  rateLimit: THROTTLE_RATE_RULE,
  burstLimit: THROTTLE_BURST_RULE,
} satisfies PropRules<ApiKeyAccessProps>;

/**
 * An API key and the usage plan that admits it to the stage: what `API_KEY`
 * authorization needs. Terraform addresses: `aws_api_gateway_api_key.api_key`,
 * `aws_api_gateway_usage_plan.usage_plan`, `aws_api_gateway_usage_plan_key.usage_plan_key`.
 */
export class ApiKeyAccess extends Construct {
  /** The key's secret value: only ever in a sensitive output. */
  public readonly keyValue: string;

  constructor(scope: Construct, id: string, props: ApiKeyAccessProps) {
    super(scope, id);
    validateProps(this, props, API_KEY_ACCESS_RULES, {});

    const key = new ApiGatewayApiKey(this, 'key', { name: props.name, enabled: true });
    key.overrideLogicalId('api_key');

    const plan = new ApiGatewayUsagePlan(this, 'plan', {
      name: props.name,
      apiStages: [{ apiId: props.restApiId, stage: props.stageName }],
      throttleSettings: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
    });
    plan.overrideLogicalId('usage_plan');

    const planKey = new ApiGatewayUsagePlanKey(this, 'plan_key', {
      keyId: key.id,
      keyType: 'API_KEY',
      usagePlanId: plan.id,
    });
    planKey.overrideLogicalId('usage_plan_key');

    this.keyValue = key.value;
  }
}
