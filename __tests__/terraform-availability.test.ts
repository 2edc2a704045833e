/**
 * `npm test` on a machine with Terraform but without its registry (a corporate
 * network, a plane) and without a provider mirror: the plan tests are skipped
 * with one line that says what to set, as when Terraform is missing, and CI
 * (REQUIRE_TERRAFORM=1) fails instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmRun } from './helpers/npm';
import { terraformVersion } from './helpers/terraform';
import { type UserCheckout, userCheckout } from '../scripts/support/user-checkout';

// Without Terraform the other case applies (terraform-plan.test.ts skips on its own).
const withTerraform = terraformVersion ? it : it.skip;

const LOUD_LINE =
  '!!! Terraform cannot reach registry.terraform.io and no provider mirror is set: the real Terraform plan tests are NOT run. ' +
  'Set TERRAFORM_PROVIDER_MIRROR to a filesystem mirror holding hashicorp/aws 5.100.0 (terraform providers mirror <dir> makes one).';

describe('npm test without the Terraform registry and without a provider mirror', () => {
  let checkout: UserCheckout;
  let env: NodeJS.ProcessEnv = {};

  beforeAll(() => {
    checkout = userCheckout('no-registry');
    // A home and data directories with no provider in them (Terraform's implied mirrors).
    const home = path.join(checkout.dir, 'home');
    fs.mkdirSync(home);
    env = {
      HOME: home,
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_DATA_DIRS: path.join(home, 'data-dirs'),
      TERRAFORM_PROVIDER_MIRROR: '',
      REQUIRE_TERRAFORM: '',
      // Every connection but loopback fails at once: no registry, whatever this machine can reach.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      // This run's own decision must not leak into the nested one.
      LAMBDA_APIGATEWAY_TERRAFORM_PLANS: undefined,
    };
  });
  afterAll(() => checkout?.remove());

  withTerraform('skips the plan tests, with one line that says to set TERRAFORM_PROVIDER_MIRROR', () => {
    const test = npmRun(checkout.dir, 'test', ['__tests__/terraform-plan.test.ts'], env);
    expect({ status: test.status, output: test.status === 0 ? '' : test.output.slice(-4000) }).toEqual({ status: 0, output: '' });
    expect(test.output.split(LOUD_LINE).length - 1).toBe(1);
    expect(test.output).toMatch(/Tests:\s+8 skipped, 8 total/);
  }, 180_000);

  withTerraform('fails them under REQUIRE_TERRAFORM=1, as CI sets it', () => {
    const test = npmRun(checkout.dir, 'test', ['__tests__/terraform-plan.test.ts'], { ...env, REQUIRE_TERRAFORM: '1' });
    expect(test.status).not.toBe(0);
    expect(test.output).toContain('REQUIRE_TERRAFORM is set, but Terraform cannot reach registry.terraform.io and no provider mirror is set');
  }, 180_000);
});
