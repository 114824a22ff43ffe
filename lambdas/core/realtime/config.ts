import type { DetectionSettings } from '../detect/config-views.ts';
import { compileTopicPatterns, type TopicPattern } from '../patterns/matcher.ts';
import { compileSupportNames, lookalikeKeys, type LookalikeKey, type SupportName } from './impersonation.ts';

/** How long the realtime path keeps state (config key `realtime`); thresholds are detection parameters in the registry. */
export interface RealtimeStateSettings {
  /** Hours live meeting state is kept. */
  readonly meetingStateHours: number;
  /** Hours a processed webhook is remembered for de-duplication. */
  readonly idempotencyHours: number;
}

/** Everything the realtime checks read from the configuration. */
export interface RealtimeSettings extends DetectionSettings, RealtimeStateSettings {}

/** The settings as the checks use them: lower-case sets, case-insensitive patterns compiled for linear-time matching. */
export interface CompiledSettings {
  readonly raw: RealtimeSettings;
  readonly internalDomains: ReadonlySet<string>;
  readonly watchedUsers: ReadonlySet<string>;
  /** Trusted outside emails and domains, lower case (config `trustedExternals`). */
  readonly trustedExternals: ReadonlySet<string>;
  readonly sensitive: readonly TopicPattern[];
  /** The support names, folded (impersonation.ts). */
  readonly supportNames: readonly SupportName[];
  /** The folded forms of the internal domains look-alikes are compared with (impersonation.ts). */
  readonly lookalikeKeys: readonly LookalikeKey[];
}

/** Compiles settings once per process; a pattern the config schema would refuse throws, naming it. */
export function compileSettings(settings: RealtimeSettings): CompiledSettings {
  return {
    raw: settings,
    internalDomains: new Set(settings.internalDomains.map((d) => d.toLowerCase())),
    watchedUsers: new Set(settings.watchedUsers.map((e) => e.toLowerCase())),
    trustedExternals: new Set((settings.trustedExternals ?? []).map((e) => e.toLowerCase())),
    sensitive: compileTopicPatterns(settings.sensitiveMeetingPatterns),
    supportNames: compileSupportNames(settings.supportNames),
    lookalikeKeys: lookalikeKeys(settings.internalDomains),
  };
}

/** The sensitive pattern a topic matches, if any. */
export function sensitiveMatch(settings: CompiledSettings, topic: string | null | undefined): string | undefined {
  if (!topic) return undefined;
  return settings.sensitive.find((re) => re.test(topic))?.source;
}

/** Whether an email is on one of the organisation's domains. */
export function isInternalEmail(settings: CompiledSettings, email: string | null | undefined): boolean {
  if (!email) return false;
  const at = email.lastIndexOf('@');
  return at > 0 && settings.internalDomains.has(email.slice(at + 1).toLowerCase());
}

/** Whether an email, or its domain, is one of the trusted outside people (config `trustedExternals`). */
export function isTrustedExternal(settings: CompiledSettings, email: string | null | undefined): boolean {
  if (!email) return false;
  const e = email.toLowerCase();
  return settings.trustedExternals.has(e) || settings.trustedExternals.has(e.slice(e.lastIndexOf('@') + 1));
}
