/** ItemsTable alone (cdktf's Testing.synthScope, through helpers/synth): its defaults, its props' edge cases, the props it refuses. */
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { TerraformVariable } from 'cdktf';
import { ITEMS_TABLE_DEFAULTS, ItemsTable } from '../../constructs/items-table';
import { PropsError } from '../../constructs/props';
import { synthScope } from '../helpers/synth';

describe('ItemsTable', () => {
  it("is the tutorial's table when given no props: key id (S), on demand, point-in-time recovery, protected in AWS and in Terraform", () => {
    const json = synthScope((scope) => new ItemsTable(scope, 'items'));
    expect(json).toHaveResourceWithProperties(DynamodbTable, {
      name: ITEMS_TABLE_DEFAULTS.tableName,
      hash_key: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(ITEMS_TABLE_DEFAULTS).toEqual({ tableName: 'lambda-apigateway', deletionProtection: true });
  });

  it('without deletion protection, Terraform may destroy or replace it too', () => {
    const json = JSON.parse(synthScope((scope) => new ItemsTable(scope, 'items', { tableName: 'items', deletionProtection: false })));
    expect(json.resource.aws_dynamodb_table.table).toMatchObject({ name: 'items', deletion_protection_enabled: false });
    expect(json.resource.aws_dynamodb_table.table.lifecycle).toBeUndefined();
  });

  it('takes a name known only at plan (a token) as it is: Terraform checks it then', () => {
    const json = synthScope((scope) => {
      const name = new TerraformVariable(scope, 'table_name', { type: 'string' });
      new ItemsTable(scope, 'items', { tableName: name.stringValue });
    });
    expect(json).toHaveResourceWithProperties(DynamodbTable, { name: '${var.table_name}' });
  });

  it.each(['ab', 'has space', 'x'.repeat(256), 'ünïcode'])('refuses tableName=%j, naming the construct, the prop, the value and what is allowed', (tableName) => {
    const build = () => synthScope((scope) => new ItemsTable(scope, 'items', { tableName }));
    expect(build).toThrow(PropsError);
    expect(build).toThrow(
      `ItemsTable stack/items: tableName=${JSON.stringify(tableName)} is not valid: expected 3 to 255 characters from A-Z a-z 0-9 _ - .. Leave it out for the default (lambda-apigateway).`,
    );
  });

  it('accepts the longest name DynamoDB takes', () => {
    expect(synthScope((scope) => new ItemsTable(scope, 'items', { tableName: 'x'.repeat(255) }))).toHaveResourceWithProperties(DynamodbTable, { name: 'x'.repeat(255) });
  });
});
