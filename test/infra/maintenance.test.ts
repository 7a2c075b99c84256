import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { logicalId, resourcesOf, synth, variablesOf } from './support/synth.ts';

const { stack, json } = synth();
const { maintenance } = stack;
const rules = resourcesOf(json, 'AWS::Events::Rule');
const ruleOf = (construct: Parameters<typeof logicalId>[1]) =>
  json.Resources[logicalId(stack, construct)]?.Properties ?? {};
const functionProps = (construct: Parameters<typeof logicalId>[1]) =>
  json.Resources[logicalId(stack, construct)]?.Properties ?? {};

describe('maintenance schedules', () => {
  it('are EventBridge rules (LocalStack never fires EventBridge Scheduler schedules)', () => {
    expect(rules).toHaveLength(2);
    expect(resourcesOf(json, 'AWS::Scheduler::Schedule')).toHaveLength(0);
  });

  it('runs recovery and due-job dispatch every minute', () => {
    expect(ruleOf(maintenance.recoverRule)).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [logicalId(stack, maintenance.recoverFunction), 'Arn'] } }],
    });
    expect(functionProps(maintenance.recoverFunction).Description).toBe(
      'functions/handlers/maintenance/recover.ts',
    );
    expect(Number(functionProps(maintenance.recoverFunction).Timeout)).toBeLessThan(60);
  });

  it('runs cleanup daily', () => {
    expect(ruleOf(maintenance.cleanupRule)).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [logicalId(stack, maintenance.cleanupFunction), 'Arn'] } }],
    });
    expect(functionProps(maintenance.cleanupFunction).Description).toBe(
      'functions/handlers/maintenance/cleanup.ts',
    );
  });

  it.each([
    ['recover', maintenance.recoverFunction],
    ['cleanup', maintenance.cleanupFunction],
  ])('%s knows the jobs table, its retention and the tier queues', (_name, fn) => {
    const variables = variablesOf(json, logicalId(stack, fn));
    expect(variables).toMatchObject({
      JOBS_TABLE: { Ref: logicalId(stack, stack.store.get('Jobs')) },
      RETENTION_DAYS: '30',
    });
    for (const tier of TIERS) expect(variables[`QUEUE_URL_${tier.toUpperCase()}`]).toBeDefined();
  });

  it('lets EventBridge invoke each target from its own rule only', () => {
    for (const [rule, fn] of [
      [maintenance.recoverRule, maintenance.recoverFunction],
      [maintenance.cleanupRule, maintenance.cleanupFunction],
    ] as const) {
      const permission = resourcesOf(json, 'AWS::Lambda::Permission').find(
        ([, p]) =>
          JSON.stringify(p.Properties?.SourceArn) ===
          JSON.stringify({ 'Fn::GetAtt': [logicalId(stack, rule), 'Arn'] }),
      );
      expect(permission?.[1].Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] },
      });
    }
  });
});
