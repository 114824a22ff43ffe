import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import { DetectionDefinitionError, isScheduled } from '#core/detect/detection.ts';
import { DEFAULT_SUPPORT_NAMES } from '#core/realtime/impersonation.ts';
import { buildApp } from '../../lib/app.ts';
import { QUERIES_DIR, loadDetections, loadRegistry } from '../../lib/detections/load.ts';
import { TEST_ENV, logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { NO_BUNDLING, statementsOf } from './pipeline-helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const [SAMPLE] = loadDetections();

/**
 * A copy of the queries folder (every detection the code raises must be there), with one detection's
 * detection.yml edited by `edit`, and one hunting query instead of the real ones.
 */
function queriesWith(edit: (yml: string) => string = (y) => y): string {
  if (!SAMPLE) throw new Error('no detection to copy');
  const dir = mkdtempSync(join(tmpdir(), 'zl-queries-'));
  dirs.push(dir);
  cpSync(join(QUERIES_DIR, 'detections'), join(dir, 'detections'), { recursive: true });
  cpSync(join(QUERIES_DIR, 'correlation'), join(dir, 'correlation'), { recursive: true });
  const target = join(dir, 'detections', SAMPLE.id);
  writeFileSync(join(target, 'detection.yml'), edit(readFileSync(join(target, 'detection.yml'), 'utf8')));
  mkdirSync(join(dir, 'hunting'));
  writeFileSync(join(dir, 'hunting', 'all-alerts.sql'), 'SELECT * FROM alerts LIMIT 10\n');
  return dir;
}

/** How a consuming stack reads `value` of `producer`: the import of the export whose value it is. */
function importOf(producer: Stack, value: unknown): { 'Fn::ImportValue': string } {
  const outputs = Object.values(Template.fromStack(producer).toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>);
  const name = outputs.find((o) => o.Export && JSON.stringify(o.Value) === JSON.stringify(value))?.Export?.Name;
  if (!name) throw new Error(`${producer.stackName} exports no ${JSON.stringify(value)}`);
  return { 'Fn::ImportValue': name };
}

const build = (queriesDir?: string, config: Record<string, unknown> = {}) =>
  buildApp(testConfig(config), new App({ context: NO_BUNDLING }), TEST_ENV, queriesDir === undefined ? {} : { queriesDir });

describe('the detections stack in the app', () => {
  it('deploys the detections and hunting queries of the queries folder it is given', () => {
    const { detections } = build(queriesWith());
    const template = Template.fromStack(detections);
    const scheduled = loadDetections().filter(isScheduled);
    template.resourceCountIs('AWS::Scheduler::Schedule', scheduled.length);
    // Each scheduled detection's query, its days.sql where it has one, and the hunting query.
    template.resourceCountIs('AWS::Athena::NamedQuery', scheduled.length + scheduled.filter((d) => d.daysSql !== undefined).length + 1);
    template.hasResourceProperties('AWS::Athena::NamedQuery', { Name: 'hunting/all-alerts', QueryString: 'SELECT * FROM alerts LIMIT 10\n' });
  });

  it("deploys the repository's queries by default", () => {
    const template = Template.fromStack(build().detections);
    // One schedule per scheduled detection; realtime- and correlation-only ones have none.
    template.resourceCountIs('AWS::Scheduler::Schedule', loadDetections().filter(isScheduled).length);
    expect(loadDetections().filter((d) => !isScheduled(d)).length).toBeGreaterThan(0);
  });

  it.each([
    ['an invalid severity', (y: string) => y.replace(/^severity: .*$/m, 'severity: urgent'), /detection [\w.]+: invalid detection\.yml: severity/],
    ['a missing runbook', (y: string) => y.replace(/^runbook:/m, 'notes:'), /detection [\w.]+: invalid detection\.yml: .*runbook/],
    [
      'an id that is not its folder',
      (y: string) => y.replace(/^id: .*$/m, 'id: zoom.other.thing'),
      /detection [\w.]+: id "zoom\.other\.thing" must equal its folder name/,
    ],
    ['YAML that does not parse', (y: string) => `${y}\n: : [\n`, /detection [\w.]+: detection\.yml is not valid YAML/],
  ])('fails the build on a detection.yml with %s, naming the detection and the field', (_name, edit, error) => {
    const dir = queriesWith(edit);
    expect(() => build(dir)).toThrow(DetectionDefinitionError);
    expect(() => build(dir)).toThrow(error);
  });

  it('keeps the alert archive as long as the config says', () => {
    const template = Template.fromStack(build(queriesWith(), { alerts: { archiveDays: 30 } }).detections);
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
  });

  it("uses the storage stack's key and buckets through imports, and synthesizes without a dependency cycle", () => {
    const { app, storage, detections } = build(queriesWith());
    expect(() => app.synth()).not.toThrow();
    expect(detections.dependencies).toContain(storage);
    expect(storage.dependencies).not.toContain(detections);
    const json = JSON.stringify(Template.fromStack(detections).toJSON());
    expect(json).toMatch(/Fn::ImportValue/);
    expect(JSON.stringify(Template.fromStack(storage).toJSON())).not.toMatch(/ZoomlakeDetections/);
  });

  it('outputs the alert bus, the runner function name and the correlation state machine', () => {
    const { detections } = build(queriesWith());
    const template = Template.fromStack(detections);
    template.hasOutput('DetectionRunnerName', { Value: { Ref: logicalIdOf(detections.runner.runner.function) } });
    template.hasOutput('AlertBusName', { Value: { Ref: logicalIdOf(detections.alertBus.eventBus) } });
    template.hasOutput('AlertBusArn', { Value: { 'Fn::GetAtt': [logicalIdOf(detections.alertBus.eventBus), 'Arn'] } });
    template.hasOutput('CorrelationStateMachineArn', { Value: { Ref: logicalIdOf(detections.correlation!.stateMachine) } });
  });
});

describe('the alert bus policy in the app', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
  const arnOf = (c: Parameters<typeof logicalIdOf>[0]) => ({ 'Fn::GetAtt': [logicalIdOf(c), 'Arn'] });
  const denied = (stack: ReturnType<typeof build>['detections']) => {
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy')) as {
      Properties: { EventBusName: unknown; Statement: Statement };
    }[];
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    expect(policy?.Properties.EventBusName).toEqual({ Ref: logicalIdOf(stack.alertBus.eventBus) });
    expect(policy?.Properties.Statement).toMatchObject({
      Effect: 'Deny',
      Action: 'events:PutEvents',
      Resource: arnOf(stack.alertBus.eventBus),
      Condition: { 'ForAnyValue:StringEquals': { 'events:source': ['zoomlake'] } },
    });
    return policy?.Properties.Statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'];
  };
  /** The ARN of every role of the stack allowed events:PutEvents on the alert bus: the producers a policy must not lock out. */
  const publishers = (stack: ReturnType<typeof build>['detections']) => {
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
    }[];
    return policies
      .filter((p) =>
        p.Properties.PolicyDocument.Statement.some(
          (st) => [st.Action].flat().includes('events:PutEvents') && JSON.stringify(st.Resource) === JSON.stringify(arnOf(stack.alertBus.eventBus)),
        ),
      )
      .flatMap((p) => p.Properties.Roles.map((r) => ({ 'Fn::GetAtt': [r.Ref, 'Arn'] })));
  };
  const sorted = (arns: unknown) => (arns as unknown[]).map((a) => JSON.stringify(a)).sort();

  it('reserves source zoomlake for exactly the runner, realtime and correlation Alerts roles, every role allowed to publish on the bus', () => {
    const { detections } = build(queriesWith());
    const allowed = denied(detections);
    expect(allowed).toEqual(
      [detections.runner.runner.role, detections.realtime.checks.role, detections.correlation!.functions.alerts.role].map(arnOf),
    );
    expect(sorted(allowed)).toEqual(sorted(publishers(detections)));
  });

  it('reserves it for the runner and realtime roles alone when there is no correlation', () => {
    const { detections } = build(queriesWith(), { correlation: { enabled: false } });
    expect(detections.correlation).toBeUndefined();
    const allowed = denied(detections);
    expect(allowed).toEqual([detections.runner.runner.role, detections.realtime.checks.role].map(arnOf));
    expect(sorted(allowed)).toEqual(sorted(publishers(detections)));
  });
});

describe("the realtime checks and the runner's state in the app", () => {
  const config = {
    internalDomains: ['acme.example'],
    watchedUsers: ['ceo@acme.example'],
    trustedExternals: ['LawFirm.example'],
    sensitiveMeetingPatterns: ['board'],
    minClientVersion: '6.1.0',
    detections: { 'zoom.participant.join_burst_many_ips': { parameters: { min_ips: 7 } } },
  };
  const { app, storage, pipeline, detections } = build(queriesWith(), config);
  const template = Template.fromStack(detections);
  const { realtime } = detections;
  const props = (c: Parameters<typeof logicalIdOf>[0]) => resourceOf(template, c).Properties as Record<string, unknown>;
  const tableArn = () => importOf(storage, { 'Fn::GetAtt': [logicalIdOf(storage.stateTable), 'Arn'] });
  const keyArn = () => importOf(storage, { 'Fn::GetAtt': [logicalIdOf(storage.key), 'Arn'] });
  const stateStatements = () => [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      Resource: tableArn(),
    },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: keyArn(),
      Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
    },
  ];

  it("deploys the realtime function in the detections stack, fed by a rule on the pipeline's webhook bus", () => {
    expect(realtime.checks.function.stack).toBe(detections);
    expect(props(realtime.checks.function)).toMatchObject({ Handler: 'index.handler' });
    expect(props(realtime.rule)).toMatchObject({
      EventBusName: importOf(pipeline, { Ref: logicalIdOf(pipeline.webhook.eventBus) }),
      EventPattern: { source: ['zoomlake.webhook'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(realtime.queue), 'Arn'] },
      FunctionName: { Ref: logicalIdOf(realtime.checks.function) },
    });
  });

  it('gives the realtime function the state table, the lake, the alert bus and the configured settings', () => {
    const env = (props(realtime.checks.function).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({
      STATE_TABLE_NAME: importOf(storage, { Ref: logicalIdOf(storage.stateTable) }),
      LAKE_BUCKET_NAME: importOf(storage, { Ref: logicalIdOf(storage.lakeBucket) }),
      ALERT_BUS_NAME: { Ref: logicalIdOf(detections.alertBus.eventBus) },
    });
    expect(JSON.parse(env.REALTIME_SETTINGS as string)).toEqual({
      internalDomains: ['acme.example'],
      sensitiveMeetingPatterns: ['board'],
      watchedUsers: ['ceo@acme.example'],
      trustedExternals: ['lawfirm.example'],
      minClientVersion: '6.1.0',
      supportNames: DEFAULT_SUPPORT_NAMES,
      meetingStateHours: 72,
      idempotencyHours: 48,
    });
    // The configured threshold reaches the function through the registry it ships, and the SQL through the view.
    expect(env.DETECTIONS_SHA256).toBe(bundleSha256(detectionBundle(loadRegistry(parseConfig(config).detections, queriesWith()))));
    expect(detections.catalog.configViews.has('detection_parameters')).toBe(true);
    const view = resourceOf(template, detections.catalog.configViews.get('detection_parameters')!).Properties as {
      TableInput: { ViewOriginalText: string };
    };
    const sql = JSON.parse(Buffer.from(/Presto View: (.+) \*\//.exec(view.TableInput.ViewOriginalText)![1]!, 'base64').toString('utf8'))
      .originalSql as string;
    expect(sql).toContain("('zoom.participant.join_burst_many_ips', 'min_ips', CAST(7 AS bigint))");
    expect(statementsOf(template, realtime.checks.role)).toEqual(expect.arrayContaining(stateStatements()));
  });

  it('gives the runner the state table name and exactly the state table actions the DynamoDB state store uses', () => {
    const env = (props(detections.runner.runner.function).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.STATE_TABLE_NAME).toEqual(importOf(storage, { Ref: logicalIdOf(storage.stateTable) }));
    const dynamo = statementsOf(template, detections.runner.runner.role).filter((st) => JSON.stringify(st).includes('dynamodb'));
    expect(dynamo).toEqual(stateStatements());
  });

  it('depends on the storage and pipeline stacks, never the other way round', () => {
    expect(() => app.synth()).not.toThrow();
    expect(detections.dependencies).toEqual(expect.arrayContaining([storage, pipeline]));
    expect(pipeline.dependencies).not.toContain(detections);
    expect(JSON.stringify(Template.fromStack(pipeline).toJSON())).not.toMatch(/ZoomlakeDetections/);
  });
});
