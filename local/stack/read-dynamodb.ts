/** The stack's DynamoDB tables as the embedded DynamoDB creates them: keys, attributes, indexes. */
import { LocalError } from '../shared/local-error';
import type { KeyAttribute, SecondaryIndex, TableModel } from './model';
import { ResourceReader } from './read-context';
import type { Declared } from './resolved-document';

export class DynamoDBReader extends ResourceReader {
  read(resource: Declared): TableModel {
    const name = this.str(resource, 'name');
    const declared = new Map<string, KeyAttribute>();
    for (const attribute of (this.optional(resource, 'attribute') ?? []) as { name: string; type: string }[]) {
      if (attribute.type !== 'S' && attribute.type !== 'N' && attribute.type !== 'B') {
        throw new LocalError(`${resource.address} declares attribute ${attribute.name} of type ${JSON.stringify(attribute.type)}; DynamoDB keys are S, N or B.`);
      }
      declared.set(attribute.name, { name: attribute.name, type: attribute.type });
    }
    const key = (keyName: string, role: string): KeyAttribute => {
      const attribute = declared.get(keyName);
      if (!attribute) throw new LocalError(`${resource.address}: ${role} ${keyName} has no matching attribute block; Terraform would refuse this table too.`);
      return attribute;
    };
    const indexes = (attribute: string): SecondaryIndex[] =>
      ((this.optional(resource, attribute) ?? []) as Record<string, unknown>[]).map((index) => ({
        name: String(index.name),
        hashKey: key(String(index.hash_key ?? this.str(resource, 'hash_key')), `${attribute} ${String(index.name)}'s hash key`).name,
        rangeKey: index.range_key === undefined ? undefined : key(String(index.range_key), `${attribute} ${String(index.name)}'s range key`).name,
        projectionType: String(index.projection_type ?? 'ALL'),
        nonKeyAttributes: (index.non_key_attributes as string[] | undefined) ?? [],
      }));
    const rangeKey = this.optional(resource, 'range_key');
    const model: TableModel = {
      address: resource.address,
      name,
      hashKey: key(this.str(resource, 'hash_key'), 'hash_key'),
      rangeKey: rangeKey === undefined ? undefined : key(String(rangeKey), 'range_key'),
      globalSecondaryIndexes: indexes('global_secondary_index'),
      localSecondaryIndexes: indexes('local_secondary_index'),
      attributes: [...declared.values()],
    };
    const ttl = this.optional(resource, 'ttl') as { enabled?: boolean } | undefined;
    if (ttl?.enabled) this.notices.push(`${name}: time to live is not emulated; expired items stay.`);
    if (this.optional(resource, 'stream_enabled') === true) this.notices.push(`${name}: streams are not emulated.`);
    return model;
  }
}
