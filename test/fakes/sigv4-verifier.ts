import { createHash, createHmac } from 'node:crypto';

/** A request as a server received it: what a SigV4 check needs. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target as sent (path, percent-encoding untouched, and query). */
  readonly url: string;
  /** Header names in lower case, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** What a verified Authorization header said. */
export interface VerifiedSignature {
  readonly accessKeyId: string;
  /** `<yyyymmdd>/<region>/<service>/aws4_request` */
  readonly scope: string;
  readonly signedHeaders: readonly string[];
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * The SigV4 signature of a canonical request, written from AWS's description of the algorithm and independent of the
 * SDK's signer (checked against AWS's published S3 example in the test that uses it).
 */
function sigV4Signature(secretAccessKey: string, amzDate: string, scope: string, canonicalRequest: string): string {
  const [date, region, service] = scope.split('/') as [string, string, string];
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/**
 * Checks an S3 request's SigV4 Authorization header against `secretAccessKey` from what arrived on the wire: the path as
 * sent (S3 signs it without a second encoding), the signed headers' received values, and a payload hash that must be
 * the received body's. Throws with the reason when anything does not match.
 */
export function verifyS3SigV4(req: ReceivedRequest, secretAccessKey: string): VerifiedSignature {
  const header = (name: string) => {
    const value = req.headers[name];
    if (value === undefined) throw new Error(`missing header ${name}`);
    return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ');
  };
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header('authorization'));
  if (!auth) throw new Error('malformed Authorization header');
  const [, accessKeyId, scope, signed, signature] = auth as unknown as [string, string, string, string, string];
  const signedHeaders = signed.split(';');
  const payloadHash = header('x-amz-content-sha256');
  if (payloadHash !== sha256Hex(req.body)) throw new Error('x-amz-content-sha256 is not the SHA-256 of the body received');
  const [path, query = ''] = req.url.split('?', 2) as [string, string?];
  const canonicalQuery = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
  const canonicalRequest = [
    req.method,
    path,
    canonicalQuery,
    ...signedHeaders.map((name) => `${name}:${header(name)}`),
    '',
    signed,
    payloadHash,
  ].join('\n');
  if (sigV4Signature(secretAccessKey, header('x-amz-date'), scope, canonicalRequest) !== signature) {
    throw new Error('signature does not match the request received');
  }
  return { accessKeyId, scope, signedHeaders };
}
