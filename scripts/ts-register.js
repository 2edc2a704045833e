// Runs TypeScript sources in Node by transpiling each file with esbuild on require.
// It does no type-checking (that is `npm run build`'s job), which is what makes
// `npm run synth` take a fraction of ts-node's time.
const fs = require('node:fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
