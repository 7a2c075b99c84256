/**
 * Tier pause in the template: the admin-tiers function knows the worker's four tier event source mappings
 * (TIER_EVENT_SOURCE_MAPPINGS) and may update exactly those (lambda:UpdateEventSourceMapping on their
 * ARNs); no other function may touch a tier mapping; the mappings themselves start enabled.
 */
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { TIER_CONTROL_ENV } from '../../functions/wiring/tier-control-env.ts';
import { logicalId, ownFunctions, propertiesOf, resourcesOf, synth, variablesOf } from './support/synth.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const { stack, json } = synth();
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const tiersFunction = stack.httpApi.handlers.get('admin-tiers');
const functionId = tiersFunction ? logicalId(stack, tiersFunction) : '';

/** The tier queues' mappings on the worker, by tier. */
const tierMappings = Object.fromEntries(
  TIERS.map((tier) => {
    const queueId = logicalId(stack, stack.queues.queues[tier]);
    const mappings = resourcesOf(json, 'AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
      JSON.stringify(mapping.Properties?.EventSourceArn).includes(`"${queueId}"`),
    );
    expect(mappings, tier).toHaveLength(1);
    return [tier, mappings[0]?.[0] ?? ''];
  }),
);

/** Lambda statements that name a tier mapping (the webhook delivery mapping's are test/infra/webhooks.test.ts's). */
const lambdaStatementsByRole = resourcesOf(json, 'AWS::IAM::Policy').flatMap(([, policy]) =>
  ((policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [])
    .filter((statement) => list(statement.Action).some((action) => action.startsWith('lambda:')))
    .filter((statement) =>
      Object.values(tierMappings).some((id) => JSON.stringify(statement.Resource).includes(`"${id}"`)),
    )
    .map((statement) => ({ roles: JSON.stringify(policy.Properties?.Roles), statement })),
);

describe('tier pause (template)', () => {
  it('serves both routes from one function', () => {
    expect(tiersFunction).toBeDefined();
    expect(String(propertiesOf(json, functionId).Description)).toContain('/admin/tiers/{tier}/pause');
    expect(String(propertiesOf(json, functionId).Description)).toContain('/admin/tiers/{tier}/resume');
  });

  it('tells the function the UUID of each tier mapping', () => {
    const value = JSON.stringify(variablesOf(json, functionId)[TIER_CONTROL_ENV.tierEventSourceMappings]);
    for (const tier of TIERS) {
      expect(value).toContain(`\\"${tier}\\":\\"`);
      expect(value).toContain(`{"Ref":"${tierMappings[tier]}"}`);
    }
  });

  it('grants UpdateEventSourceMapping on exactly the four tier mappings, to that function only', () => {
    const roleId = tiersFunction
      ? logicalId(stack, { node: { defaultChild: tiersFunction.role?.node.defaultChild } })
      : '';
    expect(lambdaStatementsByRole.map(({ roles }) => roles)).toEqual([JSON.stringify([{ Ref: roleId }])]);
    const [grant] = lambdaStatementsByRole.map(({ statement }) => statement);
    expect(grant).toMatchObject({ Effect: 'Allow', Action: 'lambda:UpdateEventSourceMapping' });
    const resources = list(grant?.Resource).map((resource) => JSON.stringify(resource));
    expect(resources).toHaveLength(4);
    for (const tier of TIERS)
      expect(
        resources.filter((resource) => resource.includes(`"${tierMappings[tier]}"`)),
        tier,
      ).toHaveLength(1);
    for (const resource of resources) expect(resource).toContain(':event-source-mapping:');
  });

  it('lets no other function touch the tier mappings, and starts every one enabled', () => {
    for (const [id] of ownFunctions({ stack, json }))
      if (id !== functionId)
        expect(variablesOf(json, id)[TIER_CONTROL_ENV.tierEventSourceMappings], id).toBeUndefined();
    for (const tier of TIERS) expect(propertiesOf(json, tierMappings[tier] ?? '').Enabled).not.toBe(false);
  });
});
