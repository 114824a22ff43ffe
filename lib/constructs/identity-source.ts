import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { identityColumns, type IdentitySource as IdentityMapping } from '#core/detect/identity-view.ts';
import { grantExternalObjects } from './athena-access.ts';

/** Properties of {@link IdentitySource}. */
export interface IdentitySourceProps {
  /** The lake's Glue database: the identity table lives in it (a literal). */
  readonly databaseName: string;
  /** The identity input (config `identity`): the table, its column mapping and where its data lives. */
  readonly identity: IdentityMapping & {
    /** Whether to create `table` over `s3Location`. */
    readonly createTable: boolean;
    /** Glue tables `table` is a view of: `name` in the lake's database, or `database.name`. */
    readonly baseTables: readonly string[];
    /** `s3://bucket/prefix/` holding the sign-ins' objects. @default none (a view over tables in baseTables only) */
    readonly s3Location?: string | undefined;
    /** The KMS key of those objects (SSE-KMS). @default none */
    readonly kmsKeyArn?: string | undefined;
  };
}

/**
 * The identity input in AWS (docs/identity.md): with `createTable`, the Glue table of identity-provider sign-ins over
 * `s3Location`, NDJSON (gzip or not) whose keys are the mapped columns, every column a string (the idp_signins view
 * parses the time); otherwise the table or view the config names must already exist. `grantRead` lets a role query it
 * through Athena, which reads with the caller's credentials: the Glue definitions of the table and of the tables it
 * is a view of, the objects under `s3Location`, and their key through S3.
 */
export class IdentitySource extends Construct {
  /** The Glue table, when the stack creates it. */
  readonly table: glue.CfnTable | undefined;
  /** `s3://bucket/prefix/` the sign-ins are read from, if any. */
  readonly location: string | undefined;
  private readonly props: IdentitySourceProps;

  constructor(scope: Construct, id: string, props: IdentitySourceProps) {
    super(scope, id);
    this.props = props;
    const { identity, databaseName } = props;
    this.location = identity.s3Location;
    if (identity.createTable && identity.s3Location === undefined) throw new Error('identity.createTable needs identity.s3Location to read from');
    this.table = identity.createTable
      ? new glue.CfnTable(this, 'Table', {
          catalogId: Stack.of(this).account,
          databaseName,
          tableInput: {
            name: identity.table,
            description:
              'zoomlake identity input: identity-provider sign-ins, one JSON object per line (docs/identity.md). Detections read the view idp_signins.',
            tableType: 'EXTERNAL_TABLE',
            parameters: { classification: 'json' },
            partitionKeys: [],
            storageDescriptor: {
              location: identity.s3Location,
              inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
              outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
              // Malformed lines fail the query (and so the run, which alarms) rather than vanish.
              serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
              columns: identityColumns(identity).map((name) => ({ name, type: 'string' })),
            },
          },
        })
      : undefined;
  }

  /** Lets `role` read the identity table through Athena: its Glue definitions, its objects and their key. */
  grantRead(role: iam.IRole): void {
    const { identity, databaseName } = this.props;
    const { region, account, partition } = Stack.of(this);
    const glueArn = (resource: string) => `arn:${partition}:glue:${region}:${account}:${resource}`;
    const tables = [identity.table, ...identity.baseTables].map((t) => (t.includes('.') ? t.split('.') : [databaseName, t]) as [string, string]);
    const databases = [...new Set(tables.map(([db]) => db))].filter((db) => db !== databaseName);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          glueArn('catalog'),
          ...databases.map((db) => glueArn(`database/${db}`)),
          ...[...new Set(tables.map(([db, t]) => `table/${db}/${t}`))].map(glueArn),
        ],
      }),
    );
    if (identity.s3Location !== undefined) grantExternalObjects(role, identity.s3Location, identity.kmsKeyArn);
  }
}
