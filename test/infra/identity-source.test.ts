import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { IDP_SIGNINS_VIEW } from '#core/detect/identity-view.ts';
import { IDENTITY_FILE_SOURCE } from '#local/scenario/identity.ts';
import { buildApp } from '../../lib/app.ts';
import { IdentitySource, type IdentitySourceProps } from '../../lib/constructs/identity-source.ts';
import { applyNagChecks } from '../../lib/nag/checks.ts';
import { TEST_ENV, logicalIdOf, resourceOf, testConfig } from './helpers.ts';
import { NO_BUNDLING, pipelineTestStack, statementsOf, type Statement } from './pipeline-helpers.ts';

const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100';
const IDENTITY = { ...IDENTITY_FILE_SOURCE, table: 'okta_signins' };

function build(identity: Partial<IdentitySourceProps['identity']> = {}) {
  const { stack } = pipelineTestStack();
  const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const source = new IdentitySource(stack, 'Identity', {
    databaseName: 'zoomlake',
    identity: { ...IDENTITY, createTable: false, baseTables: [], ...identity },
  });
  source.grantRead(role);
  return { source, role, template: Template.fromStack(stack) };
}

const allow = (Action: string | string[], Resource: unknown, Condition?: unknown): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const regional = (service: string, resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:eu-west-1:123456789012:${resource}`]],
});
const s3 = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${resource}`]] });
const GLUE_READ = ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'];

describe('IdentitySource', () => {
  it('creates the identity table over s3Location when asked: NDJSON through the JSON SerDe, one string column per mapped column', () => {
    const { source, template } = build({ createTable: true, s3Location: 's3://org-idp-logs/okta/signins/' });
    expect(source.table).toBeDefined();
    expect(resourceOf(template, source.table as IConstruct).Properties).toMatchObject({
      CatalogId: '123456789012',
      DatabaseName: 'zoomlake',
      TableInput: {
        Name: 'okta_signins',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'json' },
        PartitionKeys: [],
        StorageDescriptor: {
          Location: 's3://org-idp-logs/okta/signins/',
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          Columns: ['email', 'time', 'ip', 'country', 'outcome', 'session_id', 'provider'].map((Name) => ({ Name, Type: 'string' })),
        },
      },
    });
  });

  it('names each column once when two mapped fields share it', () => {
    const { source, template } = build({ createTable: true, s3Location: 's3://org-idp-logs/', sessionColumn: 'outcome' });
    const columns = (
      resourceOf(template, source.table as IConstruct).Properties as { TableInput: { StorageDescriptor: { Columns: { Name: string }[] } } }
    ).TableInput.StorageDescriptor.Columns;
    expect(columns.map((c) => c.Name)).toEqual(['email', 'time', 'ip', 'country', 'outcome', 'provider']);
  });

  it('creates no table when the config names an existing one', () => {
    const { source, template } = build({ s3Location: 's3://org-idp-logs/' });
    expect(source.table).toBeUndefined();
    template.resourceCountIs('AWS::Glue::Table', 0);
  });

  it('refuses to create the table without an S3 location', () => {
    expect(() => build({ createTable: true })).toThrow(/createTable needs identity.s3Location/);
  });

  it("lets the reader get the table's definition, list and read the objects under the location and decrypt them through S3", () => {
    const { role, template } = build({ s3Location: 's3://org-idp-logs/okta/signins/', kmsKeyArn: KMS_KEY });
    expect(statementsOf(template, role)).toEqual([
      allow(GLUE_READ, [regional('glue', 'catalog'), regional('glue', 'table/zoomlake/okta_signins')]),
      allow('s3:GetBucketLocation', s3('org-idp-logs')),
      allow('s3:ListBucket', s3('org-idp-logs'), { StringLike: { 's3:prefix': ['okta/signins/*'] } }),
      allow('s3:GetObject', s3('org-idp-logs/okta/signins/*')),
      allow('kms:Decrypt', KMS_KEY, { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }),
    ]);
  });

  it('lets the reader get the tables a view reads too, in the lake database or another', () => {
    const { role, template } = build({ table: 'okta_flat', baseTables: ['okta_raw', 'security_logs.okta_system_log'] });
    expect(statementsOf(template, role)).toEqual([
      allow(GLUE_READ, [
        regional('glue', 'catalog'),
        regional('glue', 'database/security_logs'),
        regional('glue', 'table/zoomlake/okta_flat'),
        regional('glue', 'table/zoomlake/okta_raw'),
        regional('glue', 'table/security_logs/okta_system_log'),
      ]),
    ]);
  });

  it('grants a whole bucket without a prefix condition, and no key when none is configured', () => {
    const { role, template } = build({ s3Location: 's3://org-idp-logs/' });
    expect(statementsOf(template, role).slice(1)).toEqual([
      allow('s3:GetBucketLocation', s3('org-idp-logs')),
      allow('s3:ListBucket', s3('org-idp-logs')),
      allow('s3:GetObject', s3('org-idp-logs/*')),
    ]);
  });
});

describe('the identity input in the detections stack', () => {
  const app = (config: Record<string, unknown> = {}) => buildApp(testConfig(config), new App({ context: NO_BUNDLING }), TEST_ENV);
  const identity = { ...IDENTITY, createTable: true, s3Location: 's3://org-idp-logs/okta/', kmsKeyArn: KMS_KEY };

  it('is off without an identity section: no identity table, and idp_signins selects no rows from no table', () => {
    const { detections } = app();
    expect(detections.identity).toBeUndefined();
    Template.fromStack(detections).resourcePropertiesCountIs('AWS::Glue::Table', { TableInput: { TableType: 'EXTERNAL_TABLE' } }, 0);
    const view = detections.catalog.configViews.get(IDP_SIGNINS_VIEW);
    expect(view).toBeDefined();
    const text = (resourceOf(Template.fromStack(detections), view as IConstruct).Properties as { TableInput: { ViewOriginalText: string } })
      .TableInput.ViewOriginalText;
    const sql = (JSON.parse(Buffer.from(/Presto View: (.+) \*\//.exec(text)![1]!, 'base64').toString('utf8')) as { originalSql: string }).originalSql;
    expect(sql).toMatch(/WHERE user_email IS NOT NULL$/);
    expect(sql).not.toMatch(/FROM "/);
  });

  it('creates the table, makes idp_signins read it and wait for it', () => {
    const { detections } = app({ identity });
    const template = Template.fromStack(detections);
    const table = detections.identity?.table as IConstruct;
    const view = resourceOf(template, detections.catalog.configViews.get(IDP_SIGNINS_VIEW) as IConstruct) as {
      DependsOn?: string[];
      Properties: { TableInput: { ViewOriginalText: string } };
    };
    expect(view.DependsOn).toContain(logicalIdOf(table));
    const sql = JSON.parse(Buffer.from(/Presto View: (.+) \*\//.exec(view.Properties.TableInput.ViewOriginalText)![1]!, 'base64').toString('utf8'))
      .originalSql as string;
    expect(sql).toContain('FROM "okta_signins" s');
  });

  it('lets the detection runner read the identity data, and no other function', () => {
    const { detections } = app({ identity });
    const template = Template.fromStack(detections);
    const runner = JSON.stringify(statementsOf(template, detections.runner.runner.role));
    expect(runner).toContain(':s3:::org-idp-logs/okta/*');
    expect(runner).toContain('table/zoomlake/okta_signins');
    expect(runner).toContain(KMS_KEY);
    const others = [detections.realtime.checks.role, ...Object.values(detections.correlation?.functions ?? {}).map((f) => f.role)];
    for (const role of others) {
      const text = JSON.stringify(statementsOf(template, role));
      expect(text).not.toContain('org-idp-logs');
      expect(text).not.toContain('okta_signins');
      expect(text).not.toContain(KMS_KEY);
    }
  });

  it('leaves no unacknowledged cdk-nag finding with the identity table and its S3 location configured', () => {
    const built = app({ identity });
    applyNagChecks(built.app);
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});
