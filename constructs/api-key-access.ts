import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayUsagePlan } from '@cdktf/provider-aws/lib/api-gateway-usage-plan';
import { ApiGatewayUsagePlanKey } from '@cdktf/provider-aws/lib/api-gateway-usage-plan-key';
import { Construct } from 'constructs';

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
