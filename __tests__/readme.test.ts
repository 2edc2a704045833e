import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTINGS } from '../constructs/config';
import { CORS_ADDRESSES, DOCUMENTED_ADDRESSES, DOCUMENTED_DATA_SOURCES } from './helpers/addresses';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('lists every configuration variable with its default', () => {
    for (const setting of Object.values(SETTINGS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${setting.variable}\` |`));
      expect({ variable: setting.variable, row: Boolean(row) }).toEqual({ variable: setting.variable, row: true });
      if ('defaultValue' in setting) expect(row).toContain(`\`${setting.defaultValue}\``);
    }
  });

  it('shows the terraform state list ops will see, address for address', () => {
    const listing = /lambda-apigateway`\) prints:\n\n```\n([^`]+)```/.exec(readme)?.[1].trim().split('\n');
    const archiveOnly = 'data.archive_file.function_package';
    expect(listing).toEqual([...DOCUMENTED_DATA_SOURCES.filter((d) => d !== archiveOnly), ...DOCUMENTED_ADDRESSES]);
    expect(readme).toContain(archiveOnly);
  });

  it('names each address API_CORS_ORIGINS adds, for terraform state show', () => {
    for (const address of CORS_ADDRESSES) expect({ address, named: readme.includes(`\`${address}\``) }).toEqual({ address, named: true });
  });

  it('gives the two commands that set up, run and test the project', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
