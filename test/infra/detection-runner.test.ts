import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { bundleSha256, detectionBundle } from '#core/detect/bundle.ts';
import { configViews } from '#core/detect/config-views.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { AlertBus } from '../../lib/constructs/alert-bus.ts';
import { DetectionCatalog } from '../../lib/constructs/detection-catalog.ts';
import { DetectionRunner, readTables, type DetectionRunnerProps } from '../../lib/constructs/detection-runner.ts';
import { extraFilesHooks } from '../../lib/constructs/zoomlake-function.ts';
import { loadHuntingQueries, loadRegistry } from '../../lib/detections/load.ts';
import { logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { pipelineTestStack, starResources, statementsOf } from './pipeline-helpers.ts';

const REGISTRY = loadRegistry();
const DETECTIONS = REGISTRY.scheduled();
const HUNTING = loadHuntingQueries();
const SETTINGS = testConfig({
  internalDomains: ['acme.example'],
  watchedUsers: ['ceo@acme.example'],
  sensitiveMeetingPatterns: ["board|o'brien"],
  minClientVersion: '5.17.11',
});

function build(registry: DetectionRegistry = REGISTRY, props: Partial<DetectionRunnerProps> = {}, tableEncryption: 'cmk' | 'aws-owned' = 'cmk') {
  const { stack, key, lake } = pipelineTestStack();
  const results = new Bucket(stack, 'Results', { encryption: BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
  const table = new TableV2(stack, 'State', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    encryption: tableEncryption === 'cmk' ? TableEncryptionV2.customerManagedKey(key) : TableEncryptionV2.dynamoOwnedKey(),
  });
  const bus = new AlertBus(stack, 'AlertBus', { encryptionKey: key });
  const catalog = new DetectionCatalog(stack, 'Catalog', {
    databaseName: 'zoomlake',
    workGroupName: 'zoomlake',
    settings: SETTINGS,
    detections: registry.detections,
    huntingQueries: HUNTING,
  });
  const runner = new DetectionRunner(stack, 'Detections', {
    registry,
    encryptionKey: key,
    lakeBucket: lake,
    resultsBucket: results,
    workGroupName: 'zoomlake',
    databaseName: 'zoomlake',
    configViewNames: [...catalog.configViews.keys()],
    alertBus: bus.eventBus,
    stateTable: table,
    ...props,
  });
  return { stack, key, lake, results, table, bus, catalog, runner, template: Template.fromStack(stack) };
}

const { key, lake, results, table, bus, catalog, runner, template } = build();
const STATE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];
const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
const fnArn = { 'Fn::GetAtt': [logicalIdOf(runner.runner.function), 'Arn'] };
const dlqArn = { 'Fn::GetAtt': [logicalIdOf(runner.deadLetterQueue), 'Arn'] };
type ScheduleResource = { Properties: { ScheduleExpression: string; Target: { Input: string } & Record<string, unknown> } };
const schedules = (t: Template) => Object.values(t.findResources('AWS::Scheduler::Schedule')) as ScheduleResource[];
const scheduleFor = (id: string) =>
  schedules(template).find((s) => (JSON.parse(s.Properties.Target.Input) as { detections: string[] }).detections[0] === id);
const envOf = (t: Template, r: DetectionRunner) =>
  (resourceOf(t, r.runner.function).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;

describe('DetectionRunner', () => {
  it('has detections to schedule, so the per-detection checks below check something', () => {
    expect(DETECTIONS.length).toBeGreaterThan(0);
  });

  it('schedules every detection once, with its own expression and {"detections":[id]} as input', () => {
    expect(schedules(template)).toHaveLength(DETECTIONS.length);
    for (const d of DETECTIONS) {
      const schedule = scheduleFor(d.id);
      expect(schedule?.Properties.ScheduleExpression, d.id).toBe(d.schedule);
      expect(JSON.parse(schedule?.Properties.Target.Input ?? '')).toEqual({ detections: [d.id] });
    }
  });

  it('invokes the runner with two retries within an hour, then the KMS-encrypted dead-letter queue', () => {
    for (const schedule of schedules(template)) {
      expect(schedule.Properties.Target).toMatchObject({
        Arn: fnArn,
        RoleArn: { 'Fn::GetAtt': [logicalIdOf(runner.schedulerRole), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 },
        DeadLetterConfig: { Arn: dlqArn },
      });
    }
    expect(resourceOf(template, runner.deadLetterQueue).Properties).toMatchObject({ KmsMasterKeyId: keyArn, MessageRetentionPeriod: 1_209_600 });
  });

  it('lets the scheduler invoke only the runner and dead-letter only to its queue', () => {
    expect(statementsOf(template, runner.schedulerRole)).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fnArn },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlqArn },
    ]);
  });

  it('grants the runner exactly Athena in its workgroup, the Glue objects it reads, the lake, the results, the key, the bus and the state table', () => {
    const statements = statementsOf(template, runner.runner.role).filter((s) => ![s.Action].flat().some((a) => String(a).startsWith('logs:')));
    const arn = (service: string, resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:eu-west-1:123456789012:${resource}`]],
    });
    const glue = (resource: string) => arn('glue', resource);
    const lakeArn = { 'Fn::GetAtt': [logicalIdOf(lake), 'Arn'] };
    const resultsArn = { 'Fn::GetAtt': [logicalIdOf(results), 'Arn'] };
    const objects = (bucket: unknown, prefix: string) => ({ 'Fn::Join': ['', [bucket, prefix]] });
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
        Resource: arn('athena', 'workgroup/zoomlake'),
      },
      {
        Effect: 'Allow',
        Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        Resource: [
          glue('catalog'),
          glue('database/zoomlake'),
          ...readTables(DETECTIONS, [...catalog.configViews.keys()]).map((t) => glue(`table/zoomlake/${t}`)),
        ],
      },
      { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: lakeArn },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: lakeArn, Condition: { StringLike: { 's3:prefix': ['zoom/*'] } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(lakeArn, '/zoom/*') },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: resultsArn },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: objects(resultsArn, '/results/*'),
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects(lakeArn, '/zoom/alerts/*') },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [logicalIdOf(bus.eventBus), 'Arn'] } },
      { Effect: 'Allow', Action: STATE_ACTIONS, Resource: { 'Fn::GetAtt': [logicalIdOf(table), 'Arn'] } },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(starResources(template)).toEqual([]);
  });

  it('grants no key use for the state table when the table is not encrypted with a customer-managed key', () => {
    const plain = build(REGISTRY, {}, 'aws-owned');
    const statements = statementsOf(plain.template, plain.runner.runner.role);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: STATE_ACTIONS, Resource: { 'Fn::GetAtt': [logicalIdOf(plain.table), 'Arn'] } });
    expect(statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('dynamodb.'))).toEqual([]);
  });

  it('reads each view a detection names, the raw table behind it, and the config views', () => {
    const tables = readTables(DETECTIONS, ['internal_domains', 'watched_users']);
    for (const d of DETECTIONS) {
      for (const t of d.tables) expect(tables).toContain(t);
    }
    expect(tables).toEqual(expect.arrayContaining(['internal_domains', 'watched_users', 'participant_events', 'participant_events_raw']));
    expect(new Set(tables).size).toBe(tables.length);
  });

  it('sets the environment the runner handler reads, with the hash of the detections it ships', () => {
    expect(envOf(template, runner)).toEqual({
      ATHENA_WORKGROUP: 'zoomlake',
      GLUE_DATABASE: 'zoomlake',
      LAKE_BUCKET_NAME: { Ref: logicalIdOf(lake) },
      ALERT_BUS_NAME: { Ref: logicalIdOf(bus.eventBus) },
      STATE_TABLE_NAME: { Ref: logicalIdOf(table) },
      DETECTIONS_SHA256: bundleSha256(detectionBundle(REGISTRY)),
      ATHENA_TIMEOUT_SECONDS: '780',
    });
    expect(resourceOf(template, runner.runner.function).Properties).toMatchObject({ Timeout: 900, MemorySize: 1024 });
  });

  it('changes the function when a detection changes', () => {
    const [first, ...rest] = DETECTIONS;
    if (!first) throw new Error('no detection');
    const changed = build(
      REGISTRY.withDetections([
        { ...first, sql: `${first.sql}\n-- changed` },
        ...rest,
        ...REGISTRY.detections.filter((d) => !d.paths.includes('scheduled')),
      ]),
    );
    expect(envOf(changed.template, changed.runner).DETECTIONS_SHA256).not.toBe(envOf(template, runner).DETECTIONS_SHA256);
    expect(changed.runner.bundle.text).toContain('-- changed');
  });

  it('alarms on any runner error and any dead-lettered run', () => {
    expect(resourceOf(template, runner.errorsAlarm).Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(runner.runner.function) } }],
    });
    expect(resourceOf(template, runner.deadLetterAlarm).Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(runner.deadLetterQueue), 'QueueName'] } }],
    });
  });

  it('alarms per detection on DetectionFailed', () => {
    expect([...runner.failedAlarms.keys()].sort()).toEqual(DETECTIONS.map((d) => d.id).sort());
    for (const [id, alarm] of runner.failedAlarms) {
      expect(resourceOf(template, alarm).Properties).toMatchObject({
        Namespace: 'zoomlake',
        MetricName: 'DetectionFailed',
        Dimensions: [{ Name: 'Detection', Value: id }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it.each([
    ['a timeout under 3 minutes', { timeout: Duration.minutes(2) }, /timeout must be at least 3 minutes/],
    ['a results prefix without a trailing slash', { resultsPrefix: 'results' }, /resultsPrefix must be a key prefix/],
  ])('refuses %s', (_name, props, error) => {
    expect(() => build(REGISTRY, props)).toThrow(error);
  });
});

describe('DetectionCatalog', () => {
  type NamedQuery = { Properties: { Name: string; Database: string; WorkGroup: string; QueryString: string; Description: string } };
  const named = () => Object.values(template.findResources('AWS::Athena::NamedQuery')) as NamedQuery[];

  it('saves every detection and every hunting query as a named query in the workgroup and database', () => {
    expect(HUNTING.length).toBeGreaterThan(0);
    expect(
      named()
        .map((q) => q.Properties.Name)
        .sort(),
    ).toEqual(
      [
        ...DETECTIONS.map((d) => `detection/${d.id}`),
        ...DETECTIONS.filter((d) => d.daysSql !== undefined).map((d) => `detection/${d.id}/days`),
        ...HUNTING.map((h) => `hunting/${h.name}`),
      ].sort(),
    );
    for (const q of named()) expect(q.Properties).toMatchObject({ Database: 'zoomlake', WorkGroup: 'zoomlake' });
  });

  it("saves each query's SQL unchanged", () => {
    const byName = new Map(named().map((q) => [q.Properties.Name, q.Properties]));
    for (const d of DETECTIONS) expect(byName.get(`detection/${d.id}`)?.QueryString).toBe(d.sql);
    for (const h of HUNTING) expect(byName.get(`hunting/${h.name}`)?.QueryString).toBe(h.sql);
    for (const d of DETECTIONS) expect(byName.get(`detection/${d.id}`)?.Description).toContain(d.title.slice(0, 100));
    // A detection with days.sql: it is saved beside the query, whose description says how to bind the two days.
    const withDays = DETECTIONS.filter((d) => d.daysSql !== undefined);
    expect(withDays.length).toBeGreaterThan(0);
    for (const d of withDays) {
      expect(byName.get(`detection/${d.id}/days`)?.QueryString).toBe(d.daysSql);
      expect(byName.get(`detection/${d.id}`)?.Description).toContain(':days_from and :days_to');
    }
  });

  it('adds each config view as a Glue VIRTUAL_VIEW with its columns and the SQL of configViews', () => {
    const expected = configViews(SETTINGS, REGISTRY.detections);
    expect([...catalog.configViews.keys()]).toEqual(expected.map((v) => v.name));
    const hive = { varchar: 'string', integer: 'int', bigint: 'bigint', boolean: 'boolean', timestamp: 'timestamp' } as const;
    // Athena's views carry timestamps at millisecond precision, as the lake's Parquet files store them.
    const trino = { varchar: 'varchar', integer: 'integer', bigint: 'bigint', boolean: 'boolean', timestamp: 'timestamp(3)' } as const;
    for (const view of expected) {
      const table = resourceOf(template, catalog.configViews.get(view.name) as never).Properties as {
        DatabaseName: string;
        CatalogId: string;
        TableInput: {
          Name: string;
          TableType: string;
          PartitionKeys: unknown[];
          ViewOriginalText: string;
          StorageDescriptor: { Columns: { Name: string; Type: string }[] };
        };
      };
      expect(table).toMatchObject({
        DatabaseName: 'zoomlake',
        CatalogId: '123456789012',
        TableInput: { Name: view.name, TableType: 'VIRTUAL_VIEW', PartitionKeys: [] },
      });
      expect(table.TableInput.StorageDescriptor.Columns).toEqual(view.columns.map((c) => ({ Name: c.name, Type: hive[c.type] })));
      const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(table.TableInput.ViewOriginalText)?.[1] ?? '';
      const definition = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
        originalSql: string;
        schema: string;
        columns: { name: string; type: string }[];
      };
      expect(definition).toMatchObject({
        originalSql: view.sql,
        schema: 'zoomlake',
        columns: view.columns.map((c) => ({ name: c.name, type: trino[c.type] })),
      });
    }
  });

  it('carries the config values into the view SQL', () => {
    const sql = (name: string) => configViews(SETTINGS, REGISTRY.detections).find((v) => v.name === name)?.sql ?? '';
    expect(sql('internal_domains')).toContain("'acme.example'");
    expect(sql('sensitive_meeting_patterns')).toContain("'(?i)board|o''brien'");
    expect(sql('min_client_version')).toContain('5 AS major, 17 AS minor, 11 AS patch');
    expect(sql('detection_parameters')).toContain("('zoom.participant.join_burst_many_ips', 'min_ips', CAST(10 AS bigint))");
  });
});

describe('extraFilesHooks', () => {
  it('copies each file into the bundle output when bundling runs', () => {
    const hooks = extraFilesHooks({ 'detections.json': '{"version":1}', 'notes.txt': 'second' });
    const out = mkdtempSync(join(tmpdir(), 'zl-bundle-out-'));
    for (const command of hooks?.afterBundling('/input', out) ?? []) execSync(command);
    expect(readFileSync(join(out, 'detections.json'), 'utf8')).toBe('{"version":1}');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('second');
  });

  it('adds no hooks without files and refuses paths as file names', () => {
    expect(extraFilesHooks({})).toBeUndefined();
    expect(() => extraFilesHooks({ '../escape.json': '' })).toThrow(/plain file names/);
  });
});
