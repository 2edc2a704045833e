/** ApiKeyAccess alone (cdktf's Testing.synthScope, through helpers/synth): the key, the usage plan that admits it to the stage, and the props it refuses. */
import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayUsagePlan } from '@cdktf/provider-aws/lib/api-gateway-usage-plan';
import { ApiGatewayUsagePlanKey } from '@cdktf/provider-aws/lib/api-gateway-usage-plan-key';
import type { Construct } from 'constructs';
import { ApiKeyAccess, type ApiKeyAccessProps } from '../../constructs/api-key-access';
import { PropsError } from '../../constructs/props';
import { synthScope } from '../helpers/synth';

const PROPS: ApiKeyAccessProps = { restApiId: 'abc123', stageName: 'prod', name: 'Items-prod', rateLimit: 10, burstLimit: 20 };

const synthAccess = (props: Partial<ApiKeyAccessProps> = {}) => synthScope((scope: Construct) => new ApiKeyAccess(scope, 'access', { ...PROPS, ...props }));

describe('ApiKeyAccess', () => {
  it("admits one enabled key to the stage through a usage plan that throttles it, at the addresses ops know", () => {
    const json = synthAccess();
    expect(json).toHaveResourceWithProperties(ApiGatewayApiKey, { name: 'Items-prod', enabled: true });
    expect(json).toHaveResourceWithProperties(ApiGatewayUsagePlan, {
      name: 'Items-prod',
      api_stages: [{ api_id: 'abc123', stage: 'prod' }],
      throttle_settings: { rate_limit: 10, burst_limit: 20 },
    });
    expect(json).toHaveResourceWithProperties(ApiGatewayUsagePlanKey, {
      key_id: '${aws_api_gateway_api_key.api_key.id}',
      key_type: 'API_KEY',
      usage_plan_id: '${aws_api_gateway_usage_plan.usage_plan.id}',
    });
  });

  it.each<[Partial<ApiKeyAccessProps>, string]>([
    [{ rateLimit: 0 }, 'rateLimit=0 is not valid: expected a whole number of requests per second from 1 to 10000.'],
    [{ burstLimit: 1.5 }, 'burstLimit=1.5 is not valid: expected a whole number of requests from 1 to 5000.'],
    [{ stageName: 'a b' }, 'stageName="a b" is not valid: expected 1 to 128 characters from A-Z a-z 0-9 _ -.'],
    [{ name: '  ' }, 'name="  " is not valid: expected a name that is not blank.'],
  ])('refuses %j, naming the construct, the prop, the value and what is allowed', (props, message) => {
    expect(() => synthAccess(props)).toThrow(PropsError);
    expect(() => synthAccess(props)).toThrow(`ApiKeyAccess stack/access: ${message}`);
  });
});
