/**
 * The stack with API_CORS_ORIGINS, synthesized in memory from the configuration:
 * what it adds and at which addresses, the deployment that follows it, and a
 * snapshot of the API's answers to browsers (the constructs' own cases are in
 * __tests__/constructs/api-cors.test.ts).
 */
import { CORS_ADDRESSES, DOCUMENTED_ADDRESSES } from './helpers/addresses';
import { synthStack } from './helpers/synth';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const resourcesOf = (json: string) => JSON.parse(json).resource as Resources;
const addresses = (resources: Resources) => Object.entries(resources).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
const trigger = (resources: Resources) => (resources.aws_api_gateway_deployment.api.triggers as { redeployment: string }).redeployment;

const SEVERAL = { API_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' };

describe('Stack: CORS (API_CORS_ORIGINS)', () => {
  const defaults = resourcesOf(synthStack());
  const several = resourcesOf(synthStack(SEVERAL));

  it("adds, at their documented addresses, the preflight's method and answer and the gateway's error answers, and nothing else", () => {
    expect(addresses(resourcesOf(synthStack({ API_CORS_ORIGINS: '*' }))).sort()).toEqual([...DOCUMENTED_ADDRESSES, ...CORS_ADDRESSES].sort());
    expect(addresses(several).sort()).toEqual([...DOCUMENTED_ADDRESSES, ...CORS_ADDRESSES].sort());
  });

  it("matches the snapshot of the API's answers to browsers, with several origins", () => {
    const types = ['aws_api_gateway_method', 'aws_api_gateway_integration', 'aws_api_gateway_method_response', 'aws_api_gateway_integration_response', 'aws_api_gateway_gateway_response'];
    const answers = Object.fromEntries(types.map((type) => [type, several[type]]));
    expect(answers).toMatchSnapshot();
  });

  it('redeploys the API when CORS is turned on, and when its origins change', () => {
    const one = resourcesOf(synthStack({ API_CORS_ORIGINS: 'https://app.example.com' }));
    expect(new Set([trigger(defaults), trigger(one), trigger(several)]).size).toBe(3);
    for (const address of CORS_ADDRESSES) expect(trigger(several)).toContain(`${address}.id`);
  });

  it("leaves the tutorial's API as it was when unset: no OPTIONS, no header for browsers, the gateway's errors AWS's own", () => {
    expect(defaults.aws_api_gateway_method.options).toBeUndefined();
    expect(defaults.aws_api_gateway_gateway_response).toBeUndefined();
    for (const response of Object.values(defaults.aws_api_gateway_integration_response)) expect(response.response_parameters).toBeUndefined();
  });
});
