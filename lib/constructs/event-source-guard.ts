import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * Reserves `source` on `bus` for `producers`: a bus policy statement denying events:PutEvents with any entry of that
 * source to every other principal. Without it any principal of the account allowed events:PutEvents on the bus could
 * put events its consumers trust as theirs (for the Zoom bus: as HMAC-verified webhooks). An explicit deny in a
 * resource policy holds whatever the caller's own IAM policies allow.
 */
export function reserveEventSource(
  scope: Construct,
  id: string,
  bus: events.IEventBus,
  source: string,
  producers: readonly iam.IRole[],
): events.CfnEventBusPolicy {
  if (producers.length === 0) throw new Error(`reserving ${source} on ${bus.node.path} needs at least one producer role`);
  // Statement ids are at most 64 characters of [a-zA-Z0-9-_].
  const sid = `Only-${source.replace(/[^A-Za-z0-9-_]/g, '-')}-producers`.slice(0, 64);
  return new events.CfnEventBusPolicy(scope, id, {
    eventBusName: bus.eventBusName,
    statementId: sid,
    statement: new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: {
        // A PutEvents call carries several entries: denied when any of them claims the source.
        'ForAnyValue:StringEquals': { 'events:source': [source] },
        ArnNotEquals: { 'aws:PrincipalArn': producers.map((role) => role.roleArn) },
      },
    }).toJSON() as unknown,
  });
}

/**
 * The event pattern of `source` put in this stack's account, optionally narrowed to `detailTypes`. With
 * {@link reserveEventSource} on the bus, only the reserved producers can put such events.
 */
export function eventsOf(scope: Construct, source: string, detailTypes?: readonly string[]): events.EventPattern {
  return {
    source: [source],
    account: [Stack.of(scope).account],
    ...(detailTypes ? { detailType: [...detailTypes] } : {}),
  };
}
