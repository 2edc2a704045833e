import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataArchiveFile } from '@cdktf/provider-archive/lib/data-archive-file';
import { ArchiveProvider } from '@cdktf/provider-archive/lib/provider';
import { App, AssetType, TerraformAsset } from 'cdktf';
// cdktf's own hook for work at synth (TerraformAsset copies with it); not re-exported at the top level.
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';
import { deterministicZip } from './deterministic-zip';
import { bundleHandler, SOURCE_MAP_FILE } from './handler-bundle';
import { oneOf, type PropRules, validateProps } from './props';

/** How the handler's code reaches Terraform. */
export type HandlerPackaging = 'archive' | 'asset';

export interface HandlerPackageProps {
  /**
   * `archive`: the bundle directory travels with the stack and Terraform's archive
   * provider zips it at plan time. `asset`: the zip is built at synth, and the
   * stack needs no archive provider (air-gapped Terraform with only a mirror of
   * the AWS provider).
   * @default 'archive'
   */
  readonly packaging?: HandlerPackaging;
}

export const HANDLER_PACKAGE_DEFAULTS = {
  packaging: 'archive',
} as const satisfies Required<HandlerPackageProps>;

export const HANDLER_PACKAGE_RULES = {
  packaging: oneOf<HandlerPackaging>(['archive', 'asset'], 'archive or asset'),
} satisfies PropRules<HandlerPackageProps>;

/**
 * The handler's deployment package: `filename` and `sourceCodeHash` for the
 * function. Terraform addresses: `data.archive_file.function_package` (archive).
 */
export class HandlerPackage extends Construct {
  /** Path of the zip, relative to the synthesized stack's directory. */
  public readonly filename: string;
  /** Base64 SHA-256 of the zip, for the function's `source_code_hash`. */
  public readonly sourceCodeHash: string;

  constructor(scope: Construct, id: string, props: HandlerPackageProps = {}) {
    super(scope, id);
    validateProps(this, props, HANDLER_PACKAGE_RULES, HANDLER_PACKAGE_DEFAULTS);
    const packaging = props.packaging ?? HANDLER_PACKAGE_DEFAULTS.packaging;

    // The bundle waits here for cdktf, which copies it into the stack's `assets/`
    // at synth (so only relative paths reach the JSON): inside the app's output
    // directory, which tests remove, and gone once copied, since cdktf runs this
    // construct's synthesis after its assets'.
    const staging = path.join(App.of(this).outdir, `.staging-${this.node.addr}`);
    addCustomSynthesis(this, { onSynthesize: () => fs.rmSync(staging, { recursive: true, force: true }) });
    const bundleDir = path.join(staging, 'bundle');
    bundleHandler(bundleDir);
    // The bundle's source map stays beside the package, never in it: Lambda gets the
    // bundle alone, and the local server's debug mode finds the map where the code is.

    if (packaging === 'asset') {
      const zip = deterministicZip(bundleDir, [SOURCE_MAP_FILE]);
      const zipDir = path.join(staging, 'zip');
      fs.mkdirSync(zipDir);
      fs.writeFileSync(path.join(zipDir, 'function.zip'), zip);
      fs.copyFileSync(path.join(bundleDir, SOURCE_MAP_FILE), path.join(zipDir, SOURCE_MAP_FILE));
      const asset = new TerraformAsset(this, 'zip', { path: zipDir, type: AssetType.DIRECTORY });
      this.filename = `${asset.path}/function.zip`;
      this.sourceCodeHash = createHash('sha256').update(zip).digest('base64');
      return;
    }

    new ArchiveProvider(this, 'archive');
    const asset = new TerraformAsset(this, 'bundle', { path: bundleDir, type: AssetType.DIRECTORY });
    const archive = new DataArchiveFile(this, 'archive_file', {
      type: 'zip',
      sourceDir: asset.path,
      outputPath: 'function.zip',
      excludes: [SOURCE_MAP_FILE],
      // The archive's hash, and so the function's, must not depend on the umask of
      // whoever runs `terraform plan`.
      outputFileMode: '0644',
    });
    archive.overrideLogicalId('function_package');
    this.filename = archive.outputPath;
    this.sourceCodeHash = archive.outputBase64Sha256;
  }
}
