import { createHash } from 'node:crypto';
import type { IdentitySource } from '#core/detect/identity-view.ts';
import type { SimActivity, SimulatedOrg } from '../zoom-simulator/org.ts';
import { isoSeconds as iso } from '../zoom-simulator/org.ts';

/*
 * The identity input of a generated organisation (issue #16): the identity provider's sign-ins behind its Zoom use,
 * as the flat NDJSON file the config's `identity.localFile` names (the format of samples/identity-signins.ndjson and
 * of the table `identity.createTable` makes in AWS), and the attack zoom.activity.session_mismatch_idp looks for.
 */

/** One line of the flat identity file: one IdP sign-in. */
export interface IdentitySignInRow {
  /** The user's email. */
  readonly email: string;
  /** ISO-8601 UTC. */
  readonly time: string;
  readonly ip: string;
  /** ISO 3166-1 alpha-2, when the location is known. */
  readonly country?: string;
  readonly outcome: 'SUCCESS' | 'FAILURE';
  readonly session_id: string;
  readonly provider: string;
}

/** The `identity` config mapping the flat file's columns (also the sample's and the example config's). */
export const IDENTITY_FILE_SOURCE = {
  table: 'identity_signins',
  userColumn: 'email',
  timeColumn: 'time',
  ipColumn: 'ip',
  countryColumn: 'country',
  outcomeColumn: 'outcome',
  sessionColumn: 'session_id',
  providerColumn: 'provider',
} as const satisfies IdentitySource;

/** One use of Zoom by an employee from an address: a sign-in or a meeting join. */
export interface ZoomUse {
  readonly email: string;
  /** Epoch ms. */
  readonly at: number;
  readonly ip: string;
  /** Zoom's location text ('New York (US)'), when known. */
  readonly location?: string | undefined;
}

/** The country code at the end of a Zoom location ('Berlin (DE)' -> 'DE'). */
const countryOf = (location: string | undefined) => (location === undefined ? undefined : /\(([A-Z]{2})\)\s*$/.exec(location)?.[1]);

/** How long before a Zoom use its single sign-on reaches the IdP. */
const SSO_LEAD_MS = 20_000;
/** How long an IdP session lasts before the next Zoom use from the same address signs in again. */
const SESSION_MS = 8 * 3_600_000;

/**
 * Every Zoom sign-in (with an IP) and every join (with an email and an IP) by the organisation's own users
 * (`internalDomains`), in time order; a sign-in's location is the one Zoom gave a join from the same IP.
 */
export function zoomUsesOf(org: Pick<SimulatedOrg, 'activities' | 'meetings'>, internalDomains: readonly string[]): ZoomUse[] {
  const domains = new Set(internalDomains.map((d) => d.toLowerCase()));
  const internal = (email: string) => domains.has(email.toLowerCase().split('@')[1] ?? '');
  const locations = new Map<string, string>();
  const uses: ZoomUse[] = [];
  for (const m of org.meetings) {
    for (const p of m.participants) {
      if (p.ip_address === '' || p.location === '') continue;
      if (!locations.has(p.ip_address)) locations.set(p.ip_address, p.location);
      if (p.email !== '' && internal(p.email)) uses.push({ email: p.email, at: Date.parse(p.join_time), ip: p.ip_address, location: p.location });
    }
  }
  for (const a of org.activities) {
    if (a.type !== 'Sign in' || a.ip_address === undefined || !internal(a.email)) continue;
    uses.push({ email: a.email, at: Date.parse(a.time), ip: a.ip_address, location: locations.get(a.ip_address) });
  }
  return uses.sort((x, y) => x.at - y.at || (x.email < y.email ? -1 : x.email > y.email ? 1 : 0));
}

/** A stable session id for a user's sign-in (the same inputs give the same id). */
const sessionId = (email: string, at: number) => `idp-${createHash('sha256').update(`${email}\u0000${at}`).digest('hex').slice(0, 20)}`;

/** What identitySignIns may be told. */
export interface IdentitySignInOptions {
  /** Uses with no sign-in behind them (a planted attack's). @default none */
  readonly unmirrored?: (use: ZoomUse) => boolean;
  /** The `provider` column. @default 'okta' */
  readonly provider?: string;
}

/**
 * The ordinary IdP sign-ins behind Zoom use through single sign-on: before a use, a successful sign-in from the same
 * IP and country, unless the user's last one was from that IP less than a session ago. Benign by construction: every
 * use has a concurrent session on its own network.
 */
export function identitySignIns(uses: readonly ZoomUse[], options: IdentitySignInOptions = {}): IdentitySignInRow[] {
  const provider = options.provider ?? 'okta';
  const last = new Map<string, { ip: string; at: number }>();
  const rows: IdentitySignInRow[] = [];
  for (const use of uses) {
    if (options.unmirrored?.(use)) continue;
    const email = use.email.toLowerCase();
    const previous = last.get(email);
    if (previous && previous.ip === use.ip && use.at - previous.at < SESSION_MS) continue;
    const at = use.at - SSO_LEAD_MS;
    const country = countryOf(use.location);
    rows.push({ email, time: iso(at), ip: use.ip, ...(country ? { country } : {}), outcome: 'SUCCESS', session_id: sessionId(email, at), provider });
    last.set(email, { ip: use.ip, at });
  }
  return rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** The identity file's text: one JSON object per line. */
export function identityFileText(rows: readonly IdentitySignInRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
}

/** Where a planted session-mismatch attack comes from, by default: a network abroad the IdP never saw. */
export const MISMATCH_ATTACKER = { ip: '45.155.205.233' } as const;

/** A planted zoom.activity.session_mismatch_idp: the foreign Zoom sign-in and the victim's IdP session at home. */
export interface SessionMismatchPlant {
  /** The Zoom sign-in to add to the organisation's activities (leave it out of identitySignIns: `unmirrored`). */
  readonly activity: SimActivity;
  /** The victim's IdP sign-in at home shortly before, to add to the identity file. */
  readonly identity: IdentitySignInRow;
  /** What an alert finding it carries. */
  readonly match: { readonly user_email: string; readonly ip_address: string };
}

/**
 * The attack: `victim` signed in to the IdP at `home` (`minutesBefore` minutes earlier, default 40) and the account
 * signs in to Zoom at `at` from `attacker`, a network and country the IdP never saw for them.
 */
export function plantSessionMismatch(
  victim: { readonly email: string; readonly home: { readonly ip: string; readonly location: string } },
  at: number,
  options: { readonly attacker?: { readonly ip: string }; readonly minutesBefore?: number; readonly provider?: string } = {},
): SessionMismatchPlant {
  const email = victim.email.toLowerCase();
  const ip = options.attacker?.ip ?? MISMATCH_ATTACKER.ip;
  const homeAt = at - (options.minutesBefore ?? 40) * 60_000;
  const country = countryOf(victim.home.location);
  return {
    activity: { email, time: iso(at), type: 'Sign in', ip_address: ip, client_type: 'Browser' },
    identity: {
      email,
      time: iso(homeAt),
      ip: victim.home.ip,
      ...(country ? { country } : {}),
      outcome: 'SUCCESS',
      session_id: sessionId(email, homeAt),
      provider: options.provider ?? 'okta',
    },
    match: { user_email: email, ip_address: ip },
  };
}
