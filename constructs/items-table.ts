import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';

export interface ItemsTableProps {
  /**
   * Table name.
   * @default 'lambda-apigateway'
   */
  readonly tableName?: string;
  /**
   * Refuse to delete the table, in AWS (deletion protection) and in Terraform
   * (`prevent_destroy`, so that a destroy stops before it deletes anything, and a
   * change that would replace the table, a rename, is refused too). Set to false,
   * and deploy, before `destroy`.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The tutorial's DynamoDB table: partition key `id` (string), on-demand, with
 * point-in-time recovery. Terraform address: `aws_dynamodb_table.table`.
 */
export class ItemsTable extends Construct {
  public readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: ItemsTableProps = {}) {
    super(scope, id);
    const tableName = props.tableName ?? 'lambda-apigateway';
    const deletionProtection = props.deletionProtection ?? true;

    this.table = new DynamodbTable(this, 'table', {
      name: tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: deletionProtection,
      // AWS refuses only the table's own deletion, after Terraform has deleted
      // everything that depends on it; Terraform refuses the whole plan up front.
      lifecycle: deletionProtection ? { preventDestroy: true } : undefined,
    });
    this.table.overrideLogicalId('table');
  }
}
