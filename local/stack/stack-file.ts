/**
 * Where the synthesized stack's Terraform JSON is: a stack directory (STACK_DIR),
 * or the one stack a cdktf output directory's manifest names (CDKTF_OUTDIR).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalError } from '../shared/local-error';

/** Where to find the synthesized stack: a stack directory, or a cdktf output directory whose manifest names it. */
export type StackLocation = { readonly stackDir: string } | { readonly outDir: string };

/** Where the stack's Terraform JSON is, from the settings; throws a LocalError saying how to make one. */
export function findStackFile(location: StackLocation): string {
  if ('stackDir' in location) {
    const file = path.join(location.stackDir, 'cdk.tf.json');
    if (!fs.existsSync(file)) {
      throw new LocalError(`STACK_DIR=${location.stackDir} holds no cdk.tf.json. Point STACK_DIR at a synthesized stack's directory, or unset it to use cdktf.out.`);
    }
    return file;
  }
  const manifestFile = path.join(location.outDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new LocalError(
      `No synthesized stack: ${manifestFile} does not exist. Run \`npm run synth\` first (\`npm start\` does it for you), or set STACK_DIR to a directory holding cdk.tf.json.`,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  const stacks = Object.entries(manifest.stacks ?? {});
  if (stacks.length !== 1) {
    throw new LocalError(
      `${manifestFile} lists ${stacks.length} stacks (${stacks.map(([name]) => name).join(', ') || 'none'}); the local server serves one. ` +
        `Set STACK_DIR to the directory of the one to serve, e.g. STACK_DIR=${path.join(location.outDir, 'stacks', stacks[0]?.[0] ?? '<stack>')}.`,
    );
  }
  const [name, entry] = stacks[0];
  const file = path.join(location.outDir, entry.synthesizedStackPath ?? path.join('stacks', name, 'cdk.tf.json'));
  if (!fs.existsSync(file)) {
    throw new LocalError(`${manifestFile} names ${file} for stack ${name}, but it does not exist. Run \`npm run synth\` again.`);
  }
  return file;
}
