import { FOLD_FROM, FOLD_TO, NOISE_WORDS, foldedWords, foldedWordsSql, sqlString, withinEdits, type Folding } from './names.ts';

/**
 * zoomlake's one definition of a participant posing as support (zoom.participant.impersonates_support, and the
 * "claims support" reason of zoom.participant.remote_control_to_outsider): a display name that claims to be Zoom or
 * the organisation's support (config `supportNames`), or an email domain that looks like an internal domain. The
 * realtime check calls the functions here; the scheduled SQL embeds the SQL forms (supportWordsSql,
 * domainSkeletonSql; a test holds the copies in queries/ equal and checks them against the TypeScript on DuckDB) and
 * reads what is computed from config through two config views built here: support_names and lookalike_domains.
 *
 * Both fold harder than the name key of employees' names (names.ts): besides diacritics and Cyrillic, Greek and
 * full-width look-alikes, digits and `$` typed for letters ("Z00m", "He1p", "$upport"), "l" and "i" (a capital I
 * looks like an l), and "rn" for "m" and "vv" for "w" count as the same letter. That would merge too many employees'
 * names, but the support names are a short fixed list and a domain a single token.
 */

/** Characters typed for letters, beyond the name folding; "l" becomes "i" so "IT", "lT" and "1T" are one word. */
const CONFUSABLE: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', $: 's', l: 'i' };
/** Letter pairs that look like one letter, replaced after the character table. */
const PAIRS: readonly (readonly [string, string])[] = [
  ['rn', 'm'],
  ['vv', 'w'],
];

const confuse = (c: string) => CONFUSABLE[c] ?? c;
const SKELETON_FROM = FOLD_FROM + Object.keys(CONFUSABLE).join('');
const SKELETON_TO = [...FOLD_TO].map(confuse).join('') + Object.values(CONFUSABLE).join('');
const SKELETON = new Map([...SKELETON_FROM].map((c, i) => [c, [...SKELETON_TO][i]!]));

/** A lower-case text folded letter by letter and pair by pair (no splitting into words). */
function skeleton(text: string): string {
  let s = [...text.toLowerCase()].map((c) => SKELETON.get(c) ?? c).join('');
  for (const [from, to] of PAIRS) s = s.replaceAll(from, to);
  return s;
}

/** The folding of support names: the name folding made stricter (the noise words folded too, as names are). */
export const SUPPORT_FOLDING: Folding = { from: SKELETON_FROM, to: SKELETON_TO, pairs: PAIRS, noise: NOISE_WORDS.map(skeleton) };

/**
 * Display names that claim to be Zoom or the organisation's support, the default of config `supportNames`. From the
 * 2025 campaigns: ELUSIVE COMET renamed itself "Zoom" so the remote-control prompt read "Zoom is requesting remote
 * control of your screen" (Trail of Bits, SEAL); Black Basta affiliates called as "Help Desk" or "Help Desk Manager"
 * and talked staff into remote access (ReliaQuest, Sophos STAC5143/5777); Scattered Spider posed as the IT service
 * desk (CISA AA23-320A, updated July 2025). "Microsoft Support" covers the same vishing in a Zoom meeting.
 */
export const DEFAULT_SUPPORT_NAMES: readonly string[] = [
  'Zoom',
  'Zoom Support',
  'Zoom Help',
  'Zoom Helpdesk',
  'Zoom Technical Support',
  'Zoom Tech Support',
  'Zoom Customer Support',
  'Zoom Security',
  'Zoom Admin',
  'Zoom Administrator',
  'Zoom IT',
  'Zoom Team',
  'Zoom Video Communications',
  'IT',
  'IT Support',
  'IT Helpdesk',
  'IT Help Desk',
  'IT Service Desk',
  'IT Servicedesk',
  'IT Department',
  'IT Admin',
  'IT Security',
  'Helpdesk',
  'Help Desk',
  'Service Desk',
  'Servicedesk',
  'Tech Support',
  'Technical Support',
  'Security Team',
  'Admin',
  'Administrator',
  'System Administrator',
  'Microsoft Support',
];

/** One configured support name, folded. */
export interface SupportName {
  /** As configured. */
  readonly name: string;
  /** Its folded words, space-separated and space-padded (" it support "). */
  readonly phrase: string;
  readonly words: number;
}

/** A display name's folded words, space-separated and space-padded, as support names are compared. */
export function supportPhrase(displayName: string): string {
  return ` ${foldedWords(displayName, SUPPORT_FOLDING).join(' ')} `;
}

/** supportPhrase as a Trino SQL expression over `column`. */
export function supportPhraseSql(column: string): string {
  return `' ' || array_join(${foldedWordsSql(column, SUPPORT_FOLDING)}, ' ') || ' '`;
}

/** Folds the configured support names; a name with no letters left is refused (the config schema says so first). */
export function compileSupportNames(names: readonly string[]): SupportName[] {
  const out = new Map<string, SupportName>();
  for (const name of names) {
    const words = foldedWords(name, SUPPORT_FOLDING);
    if (words.length === 0) throw new RangeError(`support name ${JSON.stringify(name)} has no letters`);
    out.set(name, { name, phrase: ` ${words.join(' ')} `, words: words.length });
  }
  return [...out.values()];
}

/**
 * Whether a support name matches a display name's phrase: a one-word name ("Zoom", "Helpdesk") must be the whole
 * display name, so "Zoom Room 4B" (a Zoom Rooms device) and "Zoomer" do not match; a longer one may stand anywhere
 * among the words ("Mark - IT Support", "Zoom Support Team").
 */
export const supportNameMatches = (s: SupportName, phrase: string) => (s.words > 1 ? phrase.includes(s.phrase) : phrase === s.phrase);

/** The configured support names a display name claims to be, in configuration order. */
export function supportNamesClaimed(displayName: string, names: readonly SupportName[]): string[] {
  const phrase = supportPhrase(displayName);
  return names.filter((s) => supportNameMatches(s, phrase)).map((s) => s.name);
}

/*
 * Look-alike domains. A domain's "name" is what is left without its top-level domain (and a second level such as
 * co.uk's), folded (skeleton) with dots and hyphens dropped: acme.example, acme.co.uk, аcme.example (Cyrillic а),
 * acrne.example and ac-me.com all have the name "acme". Its "parts" are the folded name with dots as hyphens,
 * between hyphens ("-acme-", "-okta-acme-login-"). No public-suffix list: registrable domains under other
 * second-level suffixes (com.au with a three-letter label) keep that label in the name. Punycode (xn--) is not
 * decoded: Zoom shows the email as typed.
 */

/** Second-level labels under two-letter country domains (co.uk, com.au, ac.jp): stripped with the country. */
const SECOND_LEVEL = ['co', 'com', 'net', 'org', 'ac', 'gov', 'edu'];
const SUFFIX = `(\\.(${SECOND_LEVEL.join('|')})\\.[^.]{2}|\\.[^.]+)$`;
const SUFFIX_RE = new RegExp(SUFFIX, 'u');

/** A domain without its top-level domain, folded letter by letter ("аcme.example" -> "acme"; "sso.acme-login.com" -> "sso.acme-iogin"). */
export function domainSkeleton(domain: string): string {
  return skeleton(domain.toLowerCase().replace(SUFFIX_RE, ''));
}

/** domainSkeleton as a Trino SQL expression over `column`. */
export function domainSkeletonSql(column: string): string {
  const translated = `translate(regexp_replace(lower(${column}), ${sqlString(SUFFIX)}, ''), ${sqlString(SKELETON_FROM)}, ${sqlString(SKELETON_TO)})`;
  return PAIRS.reduce((e, [from, to]) => `replace(${e}, ${sqlString(from)}, ${sqlString(to)})`, translated);
}

/** A domain's name: its skeleton without dots and hyphens. */
export const domainName = (domain: string) => domainSkeleton(domain).replace(/[.-]/g, '');
/** A domain's parts: its skeleton with dots as hyphens, between hyphens. */
export const domainParts = (domain: string) => `-${domainSkeleton(domain).replaceAll('.', '-')}-`;

/**
 * Words attackers put beside a company's name in look-alike domains (CISA AA23-320A: targetsname-helpdesk.com,
 * oktalogin-targetcompany.com; Check Point on Scattered Spider, 2025: victim-sso.com, victim-servicedesk.com,
 * okta-victim.com, corp-victim.com, victim-support.com).
 */
export const LURE_WORDS: readonly string[] = [
  'sso',
  'okta',
  'oktalogin',
  'login',
  'signin',
  'logon',
  'auth',
  'mfa',
  'verify',
  'secure',
  'security',
  'helpdesk',
  'servicedesk',
  'support',
  'help',
  'it',
  'hr',
  'payroll',
  'benefits',
  'portal',
  'vpn',
  'corp',
  'cms',
  'admin',
  'zoom',
  'meet',
  'meeting',
  'intranet',
  'webmail',
];

/** How a domain looks like an internal one. */
export type LookalikeKind = 'same_name' | 'edited_name' | 'domain_in_name' | 'swapped_letters' | 'name_with_lure';

/** One row of the lookalike_domains view: a folded form of an internal domain that a look-alike's name or parts would show. */
export interface LookalikeKey {
  /** The internal domain. */
  readonly domain: string;
  /** same_name: the name (also compared within edits); domain_in_name: the whole domain folded without dots and hyphens; swapped_letters: the name with two neighbouring letters swapped; name_with_lure: "-name-lure-" or "-lure-name-". */
  readonly kind: Exclude<LookalikeKind, 'edited_name'>;
  readonly key: string;
}

/** The folded forms of the internal domains that look-alikes are compared with (the lookalike_domains view's rows). */
export function lookalikeKeys(internalDomains: readonly string[]): LookalikeKey[] {
  const out = new Map<string, LookalikeKey>();
  const add = (k: LookalikeKey) => out.set(`${k.domain}\u0000${k.kind}\u0000${k.key}`, k);
  for (const raw of internalDomains) {
    const domain = raw.toLowerCase();
    const name = domainName(domain);
    if (name === '') continue;
    add({ domain, kind: 'same_name', key: name });
    add({ domain, kind: 'domain_in_name', key: skeleton(domain).replace(/[.-]/g, '') });
    const letters = [...name];
    for (let i = 0; i + 1 < letters.length; i++) {
      if (letters[i] === letters[i + 1]) continue;
      const swapped = [...letters];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      add({ domain, kind: 'swapped_letters', key: swapped.join('') });
    }
    const parts = domainParts(domain).slice(1, -1);
    for (const lure of LURE_WORDS.map(skeleton)) {
      add({ domain, kind: 'name_with_lure', key: `-${parts}-${lure}-` });
      add({ domain, kind: 'name_with_lure', key: `-${lure}-${parts}-` });
    }
  }
  return [...out.values()];
}

/** How close a look-alike's name may be to an internal name (zoom.participant.impersonates_support's parameters). */
export interface LookalikeRules {
  /** Internal names of at least this many letters also match within `maxEdits` edits or one swap of neighbouring letters. */
  readonly fuzzyMinLetters: number;
  readonly maxEdits: number;
}

/** An internal domain a domain looks like, and how. */
export interface Lookalike {
  readonly domain: string;
  readonly kind: LookalikeKind;
}

/** Whether a domain is an internal one or under one (mail.acme.example): never a look-alike. */
export const isInternalDomain = (domain: string, internal: ReadonlySet<string>) =>
  internal.has(domain) || [...internal].some((d) => domain.endsWith(`.${d}`));

/**
 * The internal domains an email domain looks like, and how (sorted by domain, then kind). The same comparisons as
 * the scheduled SQL makes against the lookalike_domains view: a name equal to a same_name or domain_in_name key, or
 * to a swapped_letters key of a name of `fuzzyMinLetters`+ letters; a name within `maxEdits` edits of such a
 * same_name key (edited_name); parts containing a name_with_lure key.
 */
export function lookalikesOf(emailDomain: string, keys: readonly LookalikeKey[], internal: ReadonlySet<string>, rules: LookalikeRules): Lookalike[] {
  const domain = emailDomain.toLowerCase();
  if (domain === '' || isInternalDomain(domain, internal)) return [];
  const name = domainName(domain);
  const parts = domainParts(domain);
  const found = new Map<string, Lookalike>();
  for (const k of keys) {
    const long = [...k.key].length >= rules.fuzzyMinLetters;
    let kind: LookalikeKind | undefined;
    if ((k.kind === 'same_name' || k.kind === 'domain_in_name') && name === k.key) kind = k.kind;
    else if (k.kind === 'swapped_letters' && long && name === k.key) kind = k.kind;
    else if (k.kind === 'same_name' && long && withinEdits(name, k.key, rules.maxEdits)) kind = 'edited_name';
    else if (k.kind === 'name_with_lure' && parts.includes(k.key)) kind = k.kind;
    if (kind) found.set(`${k.domain}\u0000${kind}`, { domain: k.domain, kind });
  }
  return [...found.values()].sort((a, b) => (a.domain === b.domain ? (a.kind < b.kind ? -1 : 1) : a.domain < b.domain ? -1 : 1));
}
