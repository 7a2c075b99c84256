/**
 * The job store: one DynamoDB table per definition in infra/resources.ts (`tables`), built generically so a
 * new definition there is picked up without touching this file. On-demand billing, point-in-time recovery,
 * TTL, the definition's stream (NEW_AND_OLD_IMAGES on the jobs table); deletion protection and removal policy come from the stack settings.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableEnvName } from '../env-names.ts';
import type { IndexDefinition, KeyDefinition, TableDefinition } from '../resources.ts';

const attribute = (key: KeyDefinition): Attribute => ({
  name: key.name,
  type: key.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING,
});

const STREAM: Record<NonNullable<TableDefinition['stream']>, StreamViewType> = {
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
};

export interface StoreTableProps {
  definition: TableDefinition;
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
}

/** A table built from its definition; it knows the env var that names it to the functions. */
export class StoreTable extends Table {
  public readonly definition: TableDefinition;
  /** e.g. JOBS_TABLE */
  public readonly envName: string;

  constructor(scope: Construct, id: string, props: StoreTableProps) {
    const { definition } = props;
    super(scope, id, {
      partitionKey: attribute(definition.partitionKey),
      sortKey: attribute(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: definition.timeToLiveAttribute,
      ...(definition.stream && { stream: STREAM[definition.stream] }),
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of definition.globalSecondaryIndexes) this.addGlobalSecondaryIndex(indexProps(index));
    this.definition = definition;
    this.envName = tableEnvName(definition);
  }
}

function indexProps(index: IndexDefinition) {
  const common = {
    indexName: index.indexName,
    partitionKey: attribute(index.partitionKey),
    sortKey: attribute(index.sortKey),
  };
  return index.projection.type === 'INCLUDE'
    ? { ...common, projectionType: ProjectionType.INCLUDE, nonKeyAttributes: index.projection.attributes }
    : { ...common, projectionType: ProjectionType.KEYS_ONLY };
}

export interface JobStoreProps {
  definitions: TableDefinition[];
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
}

export class JobStore extends Construct {
  /** Every table, by definition id (`Jobs`, ...). */
  public readonly tables: Readonly<Record<string, StoreTable>>;

  constructor(scope: Construct, id: string, props: JobStoreProps) {
    super(scope, id);
    const tables: Record<string, StoreTable> = {};
    for (const definition of props.definitions) {
      if (tables[definition.id]) throw new Error(`two table definitions share the id ${definition.id}`);
      tables[definition.id] = new StoreTable(this, `${definition.id}Table`, {
        definition,
        removalPolicy: props.removalPolicy,
        deletionProtection: props.deletionProtection,
      });
    }
    this.tables = tables;
  }

  /** The table of a definition id (`Jobs`, `Connections`, ...). */
  get(id: string): StoreTable {
    const table = this.tables[id];
    if (!table) throw new Error(`no table definition with id ${id} in infra/resources.ts`);
    return table;
  }
}
