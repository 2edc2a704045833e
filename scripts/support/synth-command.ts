/** `npm run synth`'s command, from package.json's `synth` script: one place says how the stack is synthesized. */
import { scripts } from '../../package.json';

/** package.json's `synth` script, as arguments for this Node.js: `node -r ./scripts/ts-register.js main.ts`. */
export function synthArgs(): string[] {
  const [command, ...args] = scripts.synth.split(' ');
  if (command !== 'node') throw new Error(`package.json's synth script is ${JSON.stringify(scripts.synth)}; expected a node command.`);
  return args;
}
