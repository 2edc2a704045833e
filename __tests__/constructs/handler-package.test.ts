/** HandlerPackage alone (cdktf's Testing.synthScope, through helpers/synth): the two ways the handler's code reaches Terraform, and the one it refuses. */
import { DataArchiveFile } from '@cdktf/provider-archive/lib/data-archive-file';
import { ArchiveProvider } from '@cdktf/provider-archive/lib/provider';
import { HANDLER_PACKAGE_DEFAULTS, HandlerPackage, type HandlerPackaging } from '../../constructs/handler-package';
import { PropsError } from '../../constructs/props';
import { synthScope } from '../helpers/synth';

describe('HandlerPackage', () => {
  it("zips the bundle with Terraform's archive provider when given no props, with a file mode that does not depend on the umask", () => {
    expect(HANDLER_PACKAGE_DEFAULTS.packaging).toBe('archive');
    const json = synthScope((scope) => new HandlerPackage(scope, 'package'));
    expect(json).toHaveProvider(ArchiveProvider);
    expect(json).toHaveDataSourceWithProperties(DataArchiveFile, { type: 'zip', output_path: 'function.zip', output_file_mode: '0644' });
  });

  it('with asset packaging, needs no archive provider and no data source: the zip is built at synth', () => {
    const json = JSON.parse(synthScope((scope) => new HandlerPackage(scope, 'package', { packaging: 'asset' })));
    expect(json.provider).toBeUndefined();
    expect(json.data).toBeUndefined();
  });

  it('refuses another packaging, naming the prop, the value and what is allowed', () => {
    const build = () => synthScope((scope) => new HandlerPackage(scope, 'package', { packaging: 'zip' as HandlerPackaging }));
    expect(build).toThrow(PropsError);
    expect(build).toThrow('HandlerPackage stack/package: packaging="zip" is not valid: expected archive or asset. Leave it out for the default (archive).');
  });
});
