import { SecretError } from '../errors.ts';
import type { ZoomCredentials } from './client.ts';

const FIELDS = ['accountId', 'clientId', 'clientSecret'] as const;

/**
 * The Server-to-Server OAuth credentials stored as JSON in the secret `name`. A malformed value is a SecretError
 * that names the secret and the missing fields, never the value: JSON.parse's own message quotes the text it
 * choked on, and Lambda and Step Functions keep error messages in logs and execution history.
 */
export function zoomCredentialsFromSecret(name: string, raw: string): ZoomCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SecretError(`secret "${name}" is not valid JSON: expected {"accountId", "clientId", "clientSecret"}`, false);
  }
  const value = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const missing = FIELDS.filter((f) => typeof value[f] !== 'string' || value[f] === '');
  if (missing.length > 0)
    throw new SecretError(
      `secret "${name}" must be a JSON object with non-empty strings ${FIELDS.join(', ')}; missing or not a string: ${missing.join(', ')}`,
      false,
    );
  return { accountId: value.accountId as string, clientId: value.clientId as string, clientSecret: value.clientSecret as string };
}
