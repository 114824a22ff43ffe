import { App, CfnResource, Stack, type Environment } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig } from '#config/load.ts';
import type { ZoomlakeConfig } from '#config/schema.ts';

/** A fixed deployment target so templates do not depend on the machine running the tests. */
export const TEST_ENV: Required<Pick<Environment, 'account' | 'region'>> = { account: '123456789012', region: 'eu-west-1' };

/** A validated config from a partial one, as a user would write it. */
export function testConfig(input: Record<string, unknown> = {}): ZoomlakeConfig {
  return parseConfig(input, 'test config');
}

/** An empty stack in its own app; `context` is app context, as `cdk -c key=value` would set it. */
export function testStack(context: Record<string, string> = {}): Stack {
  return new Stack(new App({ context }), 'Test', { env: TEST_ENV });
}

/** The CloudFormation resource behind a construct (itself, or an L2's default child). */
export function cfnOf(construct: IConstruct): CfnResource {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return resource;
}

/** The logical id CDK gave a construct's resource, looked up rather than hard-coded. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = cfnOf(construct);
  return resource.stack.getLogicalId(resource);
}

/** A resource's template entry (Type, Properties, DeletionPolicy...), looked up by construct. */
export function resourceOf(template: Template, construct: IConstruct): Record<string, unknown> {
  const resources = template.toJSON().Resources as Record<string, Record<string, unknown>>;
  const resource = resources[logicalIdOf(construct)];
  if (!resource) throw new Error(`${construct.node.path} is not in the template`);
  return resource;
}
