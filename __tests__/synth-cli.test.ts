import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { synthArgs } from '../local/synth';

const root = path.join(__dirname, '..');

/** Runs `npm run synth`'s command, as a user does, into `outdir`. */
function synth(outdir: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, synthArgs(), {
    cwd: root,
    env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, ...env },
    encoding: 'utf8',
  });
}

function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  }
  return files;
}

describe('npm run synth', () => {
  let work = '';
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(['archive', 'asset'])(
    'writes byte-identical output on every run, with no path of this machine in it (HANDLER_PACKAGING=%s)',
    (packaging) => {
      const [first, second] = ['a', 'b'].map((name) => {
        const outdir = path.join(work, `${packaging}-${name}`);
        const result = synth(outdir, { HANDLER_PACKAGING: packaging });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        return filesUnder(path.join(outdir, 'stacks', 'lambda-apigateway'));
      });
      expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
      for (const [name, bytes] of first) expect(bytes.equals(second.get(name)!)).toBe(true);
      for (const [name, bytes] of first) {
        const text = bytes.toString('latin1');
        expect({ name, hasRoot: text.includes(root) || text.includes(os.tmpdir() + '/') }).toEqual({ name, hasRoot: false });
      }
    },
  );

  it('stops at a bad setting with one message naming the variable, the value and what is allowed', () => {
    const outdir = path.join(work, 'bad');
    const result = synth(outdir, { STAGE_NAME: 'my stage' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Configuration error: STAGE_NAME="my stage" is not valid: expected 1 to 128 characters from A-Z a-z 0-9 _ -. Unset it for the default (prod).',
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
