import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { envNames, tableEnvName } from '../../infra/env-names.ts';
import { jobsTable, type TableDefinition, tables } from '../../infra/resources.ts';
import { logicalId, resourcesOf, synth } from './support/synth.ts';

const dev = synth();
const prod = synth({ settings: { stage: 'prod' } });

describe('job store', () => {
  it('builds one table per definition in infra/resources.ts', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::Table', tables.length);
    expect(Object.keys(dev.stack.store.tables).sort()).toEqual(tables.map((table) => table.id).sort());
  });

  describe.each(tables.map((definition) => [definition.id, definition] as const))(
    '%s table',
    (_id, definition) => {
      const table = () => dev.json.Resources[logicalId(dev.stack, dev.stack.store.get(definition.id))];

      it('is on-demand with point-in-time recovery, TTL and encryption', () => {
        expect(table()?.Properties).toMatchObject({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
          SSESpecification: { SSEEnabled: true },
        });
      });

      it('has the keys and indexes of its definition', () => {
        expect(table()?.Properties?.KeySchema).toEqual([
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
        ]);
        const indexes = (table()?.Properties?.GlobalSecondaryIndexes ?? []) as { IndexName: string }[];
        expect(indexes.map((index) => index.IndexName)).toEqual(
          definition.globalSecondaryIndexes.map((index) => index.indexName),
        );
      });

      it('has a stream exactly when its definition asks for one', () => {
        expect(table()?.Properties?.StreamSpecification).toEqual(
          definition.stream ? { StreamViewType: definition.stream } : undefined,
        );
      });

      it('is named to the functions by its env var', () => {
        expect(dev.stack.store.get(definition.id).envName).toBe(tableEnvName(definition));
      });
    },
  );

  it('gives the jobs table a NEW_AND_OLD_IMAGES stream for the notifier', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: jobsTable.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: jobsTable.sortKey.name, KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(tableEnvName(jobsTable)).toBe('JOBS_TABLE');
    expect(envNames.retentionDays).toBe('RETENTION_DAYS');
  });

  it('lets dev stages be deleted with the stack', () => {
    for (const [, table] of resourcesOf(dev.json, 'AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    }
  });

  it('keeps production tables and protects them from deletion', () => {
    for (const [, table] of resourcesOf(prod.json, 'AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('builds any new definition generically', () => {
    const extra: TableDefinition = {
      id: 'Audit',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'at', type: 'N' },
      timeToLiveAttribute: 'ttl',
      globalSecondaryIndexes: [
        {
          indexName: 'byActor',
          partitionKey: { name: 'actor', type: 'S' },
          sortKey: { name: 'at', type: 'N' },
          projection: { type: 'INCLUDE', attributes: ['action'] },
        },
      ],
    };
    const { template, stack } = synth({ tableDefinitions: [...tables, extra] });
    expect(stack.store.get('Audit').envName).toBe('AUDIT_TABLE');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'at', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'at', AttributeType: 'N' }]),
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byActor',
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['action'] },
        }),
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      StreamSpecification: Match.absent(),
    });
  });
});
