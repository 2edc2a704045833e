/**
 * `npm run diff` (and deploy, destroy, which share its preparation) on a fresh
 * clone whose Terraform cannot reach the registry: providers from
 * TERRAFORM_PROVIDER_MIRROR, or a message that says what is missing. No AWS: the
 * plan runs with fake credentials against an empty state (the deploy tests take
 * the same commands through moto).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { terraformPlatform } from '../scripts/terraform-setup';
import { npmRun } from './helpers/npm';
import { PROVIDER_MIRROR, terraformRunnable, writeOfflineOverride } from './helpers/terraform';
import { type UserCheckout, userCheckout } from '../scripts/support/user-checkout';

const plans = terraformRunnable() ? it : it.skip;

const STACK = path.join('cdktf.out', 'stacks', 'lambda-apigateway');

/** No way out but loopback: whatever asks the registry fails at once, as on a plane. */
const AIR_GAPPED = { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' };

describe('npm run diff on a fresh clone without the Terraform registry', () => {
  let checkout: UserCheckout;
  let fakeMirror = '';

  beforeAll(() => {
    checkout = userCheckout('tf-commands');
    // A mirror with the AWS provider (as a directory, which is all the check reads) and no archive provider.
    fakeMirror = path.join(checkout.dir, 'aws-only-mirror');
    fs.mkdirSync(path.join(fakeMirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', terraformPlatform()), { recursive: true });
  });
  afterAll(() => checkout?.remove());

  it('says to set HANDLER_PACKAGING=asset when the mirror has no archive provider, before running Terraform', () => {
    const diff = npmRun(checkout.dir, 'diff', [], { ...AIR_GAPPED, TERRAFORM_PROVIDER_MIRROR: fakeMirror, HANDLER_PACKAGING: '' });
    expect(diff.status).toBe(1);
    expect(diff.stderr.trim().split('\n').pop()).toBe(
      `TERRAFORM_PROVIDER_MIRROR=${fakeMirror} has no hashicorp/archive 2.7.1 for ${terraformPlatform()}, which HANDLER_PACKAGING=archive (the default) ` +
        'needs to zip the function at plan time. Set HANDLER_PACKAGING=asset, which builds the zip at synth and needs only hashicorp/aws, ' +
        'or add the archive provider to the mirror.',
    );
    expect(fs.existsSync(path.join(checkout.dir, STACK, '.terraform'))).toBe(false);
  });

  it('says what TERRAFORM_PROVIDER_MIRROR should be when it names no directory', () => {
    const missing = path.join(checkout.dir, 'no-such-mirror');
    const diff = npmRun(checkout.dir, 'diff', [], { ...AIR_GAPPED, TERRAFORM_PROVIDER_MIRROR: missing, HANDLER_PACKAGING: 'asset' });
    expect(diff.status).toBe(1);
    expect(diff.stderr).toContain(`TERRAFORM_PROVIDER_MIRROR=${missing} is not a directory. Point it at a filesystem mirror of the providers`);
  });

  it('says, after Terraform fails without a mirror, that the registry cannot be reached and what to set', () => {
    const diff = npmRun(checkout.dir, 'diff', [], { ...AIR_GAPPED, TERRAFORM_PROVIDER_MIRROR: '', HANDLER_PACKAGING: 'asset', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1' });
    // What the failed init left (.terraform) is not the next test's fresh clone.
    fs.rmSync(path.join(checkout.dir, STACK), { recursive: true, force: true });
    expect(diff.status).toBe(1);
    expect(diff.stderr.trim().split('\n').pop()).toBe(
      'npm run diff failed, and registry.terraform.io cannot be reached from here. If Terraform could not install its providers above, ' +
        'set TERRAFORM_PROVIDER_MIRROR to a filesystem mirror that holds them (README: "Without the Terraform registry").',
    );
  }, 300_000);

  plans('plans the whole stack on the first npm run diff, after npm run synth:hcl, with providers from the mirror only', () => {
    const env = { HANDLER_PACKAGING: 'asset', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', ...(PROVIDER_MIRROR ? { ...AIR_GAPPED, TF_CLI_CONFIG_FILE: '' } : {}) };
    expect(npmRun(checkout.dir, 'synth:hcl', [], env).status).toBe(0);
    // The test's only addition: fake credentials and a state of its own (there is no AWS).
    writeOfflineOverride(path.join(checkout.dir, STACK));
    expect(fs.existsSync(path.join(checkout.dir, STACK, '.terraform.lock.hcl'))).toBe(false);

    const diff = npmRun(checkout.dir, 'diff', [], env);
    expect({ status: diff.status, plan: /Plan: 28 to add, 0 to change, 0 to destroy/.test(diff.output), output: diff.status === 0 ? '' : diff.output.slice(-4000) }).toEqual({
      status: 0,
      plan: true,
      output: '',
    });
    expect(fs.readdirSync(path.join(checkout.dir, STACK)).filter((f) => /^(cdk\.tf(\.json)?|metadata\.json)$/.test(f))).toEqual(['cdk.tf.json']);
    expect(fs.readFileSync(path.join(checkout.dir, STACK, '.terraform.lock.hcl'), 'utf8')).toMatch(
      /provider "registry\.terraform\.io\/hashicorp\/aws" \{\n\s+version\s+= "5\.100\.0"/,
    );
  }, 300_000);
});
