import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { matching, type PropRules, validateProps } from './props';

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

/** What an ItemsTable is without props: the tutorial's table, protected. */
export const ITEMS_TABLE_DEFAULTS = {
  tableName: 'lambda-apigateway',
  deletionProtection: true,
} as const satisfies Required<ItemsTableProps>;

/** DynamoDB's rules for the props. */
export const ITEMS_TABLE_RULES = {
  tableName: matching(/^[A-Za-z0-9_.-]{3,255}$/, '3 to 255 characters from A-Z a-z 0-9 _ - .'),
} satisfies PropRules<ItemsTableProps>;

/**
 * The tutorial's DynamoDB table: partition key `id` (string), on-demand, with
 * point-in-time recovery. Terraform address: `aws_dynamodb_table.table`.
 */
export class ItemsTable extends Construct {
  public readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: ItemsTableProps = {}) {
    super(scope, id);
    validateProps(this, props, ITEMS_TABLE_RULES, ITEMS_TABLE_DEFAULTS);
    const tableName = props.tableName ?? ITEMS_TABLE_DEFAULTS.tableName;
    const deletionProtection = props.deletionProtection ?? ITEMS_TABLE_DEFAULTS.deletionProtection;

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
