import { AwsJsonFake, awsJsonError, type JsonReply } from './aws-json-server.ts';

/** A stored secret: a string, or bytes (sent base64-encoded as SecretBinary). */
export type FakeSecret = string | Uint8Array;

/**
 * Secrets Manager's GetSecretValue over the AWS JSON 1.1 protocol on loopback. Records every SecretId asked for;
 * `failNext` makes upcoming calls fail with a chosen AWS error.
 */
export class SecretsManagerFake extends AwsJsonFake {
  /** The store, by secret name. */
  readonly secrets = new Map<string, FakeSecret>();
  /** SecretId of every GetSecretValue call, in order. */
  readonly calls: string[] = [];
  /** Errors the next calls answer with, first first. */
  readonly failNext: JsonReply[] = [];

  constructor() {
    super();
  }

  protected handle(target: string, body: unknown): JsonReply {
    if (target !== 'secretsmanager.GetSecretValue') return awsJsonError(400, 'UnknownOperationException', `unsupported ${target}`);
    const id = typeof body === 'object' && body !== null && 'SecretId' in body && typeof body.SecretId === 'string' ? body.SecretId : '';
    this.calls.push(id);
    const failure = this.failNext.shift();
    if (failure) return failure;
    const secret = this.secrets.get(id);
    if (secret === undefined) return awsJsonError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const value = typeof secret === 'string' ? { SecretString: secret } : { SecretBinary: Buffer.from(secret).toString('base64') };
    return {
      status: 200,
      body: {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
        Name: id,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_704_067_200,
        ...value,
      },
    };
  }
}
