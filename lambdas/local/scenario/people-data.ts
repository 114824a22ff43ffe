/*
 * What a scenario's people are drawn from: employees' and outsiders' names, the executives, the departments and
 * their teams, the offices and the cities of remote staff, the client versions in use and the customers. Data only;
 * generate-people.ts draws from it with the scenario's seeded stream.
 */

import { FIRST as SIMULATOR_FIRST, LAST as SIMULATOR_LAST } from '../zoom-simulator/org-data.ts';

/** Employees' first names. */
export const FIRST = [
  // The simulator's own names first, so both draw from the same people.
  ...SIMULATOR_FIRST,
  'Uma',
  'Victor',
  'Wen',
  'Yusuf',
  'Zara',
  'Amir',
  'Beatriz',
  'Carlos',
  'Dana',
  'Emeka',
  'Freya',
  'Gustav',
  'Hana',
  'Ivan',
  'Julia',
  'Kofi',
  'Lena',
  'Mateo',
  'Noor',
  'Oscar',
];
/** Employees' last names. */
export const LAST = [
  // The simulator's own names first, so both draw from the same people.
  ...SIMULATOR_LAST,
  'Quist',
  'Reyes',
  'Schmidt',
  'Tanaka',
  'Ueda',
  'Vargas',
  'Weber',
  'Xu',
  'Young',
  'Zimmer',
  'Andersen',
  'Bauer',
  'Chen',
  'Dubois',
  'Eriksen',
  'Ferreira',
  'Gupta',
  'Horvat',
  'Iqbal',
  'Jovanovic',
  'Kowalski',
  'Larsen',
  'Mensah',
  'Nakamura',
];
/** Outsiders' names come from other lists, and each is checked against the employees' names too. */
export const EXT_FIRST = [
  'Alden',
  'Brielle',
  'Cyrus',
  'Delphine',
  'Ezra',
  'Fiona',
  'Gideon',
  'Harriet',
  'Idris',
  'Juno',
  'Kieran',
  'Lorna',
  'Magnus',
  'Nadia',
  'Orson',
  'Petra',
  'Rhys',
  'Saoirse',
  'Thaddeus',
  'Ursula',
  'Vaughn',
  'Wilhelmina',
  'Xavier',
  'Yvette',
  'Zeke',
  'Anouk',
  'Bram',
  'Celeste',
];
export const EXT_LAST = [
  'Ashford',
  'Blackwood',
  'Carrington',
  'Dunmore',
  'Ellery',
  'Fairbanks',
  'Galloway',
  'Hargrove',
  'Ingram',
  'Jessup',
  'Kimball',
  'Lockhart',
  'Merriweather',
  'Northcott',
  'Oakley',
  'Pembroke',
  'Quincey',
  'Rutherford',
  'Sterling',
  'Thornbury',
  'Underhill',
  'Vance',
  'Whitlock',
  'Yardley',
  'Zeller',
  'Ainsworth',
  'Brampton',
  'Coulter',
];

/** The executives, the same in every scenario (`key` names them in `People.execs`). */
export const EXECS = [
  { first: 'Helena', last: 'Marchetti', title: 'Chief Executive Officer', dept: 'Executive', key: 'ceo' },
  { first: 'Rafael', last: 'Okoye', title: 'Chief Financial Officer', dept: 'Finance', key: 'cfo' },
  { first: 'Ingrid', last: 'Solberg', title: 'General Counsel', dept: 'Legal', key: 'counsel' },
  { first: 'Tomasz', last: 'Wren', title: 'Chief Technology Officer', dept: 'Engineering', key: 'cto' },
  { first: 'Aisha', last: 'Rahman', title: 'VP Sales', dept: 'Sales', key: 'vpSales' },
] as const;

/** Departments and their share of the staff, with the names their teams go by. */
export const DEPTS = [
  {
    dept: 'Engineering',
    share: 0.38,
    teams: ['Platform', 'Payments', 'Mobile', 'Data', 'Infrastructure', 'Web', 'Search', 'Identity', 'Billing', 'Integrations'],
  },
  { dept: 'Sales', share: 0.16, teams: ['Sales East', 'Sales West', 'Sales EMEA', 'Solutions'] },
  { dept: 'Support', share: 0.12, teams: ['Support Tier 1', 'Support Tier 2', 'Customer Success'] },
  { dept: 'Marketing', share: 0.1, teams: ['Growth', 'Brand', 'Developer Relations'] },
  { dept: 'Product', share: 0.08, teams: ['Product', 'Design'] },
  { dept: 'Finance', share: 0.07, teams: ['Finance', 'Procurement'] },
  { dept: 'People', share: 0.05, teams: ['People', 'Recruiting'] },
  { dept: 'Legal', share: 0.04, teams: ['Legal'] },
] as const;

/** The offices: their egress IP and city, their email domain (index into the internal domains) and time zone. */
export const OFFICES = [
  { region: 'US', place: { ip: '203.0.113.10', location: 'New York (US)' }, domain: 0, timezone: 'America/New_York' },
  { region: 'GB', place: { ip: '203.0.113.20', location: 'London (GB)' }, domain: 1, timezone: 'Europe/London' },
  { region: 'DE', place: { ip: '203.0.113.30', location: 'Berlin (DE)' }, domain: 0, timezone: 'Europe/Berlin' },
] as const;
/** Remote staff by office region: the first octet of their home IPs and the cities they live in. */
export const REMOTE: Readonly<Record<string, { prefix: number; cities: readonly string[] }>> = {
  US: { prefix: 73, cities: ['Boston (US)', 'Chicago (US)', 'Denver (US)', 'Austin (US)', 'Seattle (US)'] },
  GB: { prefix: 86, cities: ['Manchester (GB)', 'Leeds (GB)', 'Bristol (GB)'] },
  DE: { prefix: 91, cities: ['Hamburg (DE)', 'Munich (DE)', 'Cologne (DE)'] },
};

/** Client versions in use; every one is at or above the configured minimum (6.0.0). */
export const CLIENT_VERSIONS = ['6.0.12 (38040)', '6.1.11 (43800)', '6.2.5 (45640)', '6.3.1 (47300)'] as const;
/** The version some employees upgrade to during the scenario. */
export const LATEST = CLIENT_VERSIONS[3];

/** The customer companies: their email domain, office IP prefix and city. */
export const CUSTOMERS = [
  { name: 'Globex', domain: 'globex-corp.com', prefix: '64.57', city: 'Springfield (US)' },
  { name: 'Initech', domain: 'initech.io', prefix: '66.171', city: 'Austin (US)' },
  { name: 'Umbrella Health', domain: 'umbrella-health.com', prefix: '81.144', city: 'London (GB)' },
  { name: 'Hooli', domain: 'hooli.net', prefix: '104.28', city: 'San Jose (US)' },
  { name: 'Soylent Foods', domain: 'soylent-foods.com', prefix: '62.210', city: 'Paris (FR)' },
  { name: 'Wonka Industries', domain: 'wonka-industries.com', prefix: '78.46', city: 'Zurich (CH)' },
] as const;
/** The partner company whose consultants work on the joint project. */
export const PARTNER_DOMAIN = 'partner-corp.com';
