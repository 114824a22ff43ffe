/*
 * What the simulator's own organisation (generate-org.ts) is drawn from: names, departments, outsiders' domains,
 * meeting topics, clients, versions and locations. Data only.
 */

/** Users' first names. */
export const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Maya',
  'Nils',
  'Olga',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tariq',
];
/** Users' last names. */
export const LAST = [
  'Adams',
  'Baker',
  'Costa',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Khan',
  'Lopez',
  'Moreau',
  'Novak',
  'Okafor',
  'Patel',
];
/** The departments users are spread over. */
export const DEPTS = ['Engineering', 'Sales', 'Finance', 'Support', 'Marketing', 'Legal'];
/** Outsiders' email domains. */
export const EXTERNAL_DOMAINS = ['partner-corp.com', 'acme-consulting.net', 'gmail.com', 'outlook.com'];
/** Meeting topics. */
export const TOPICS = ['Weekly sync', 'Customer call', 'Design review', 'Interview', 'Quarterly planning', 'Incident review', 'Vendor demo', '1:1'];
/** Zoom clients users and outsiders join from: client kind, OS and device. */
export const CLIENTS = [
  { client_type: 'Windows', os: 'Windows', os_version: '10.0.22631', device: 'Windows' },
  { client_type: 'Mac', os: 'Mac', os_version: '14.4.1', device: 'Mac' },
  { client_type: 'iOS', os: 'iOS', os_version: '17.4', device: 'iOS' },
  { client_type: 'Android', os: 'Android', os_version: '14', device: 'Android' },
  { client_type: 'Browser', os: 'Windows', os_version: '10.0.19045', device: 'Windows' },
] as const;
/** Client versions in use (the oldest below the default minimum). */
export const VERSIONS = ['5.17.11 (31580)', '6.0.2 (33403)', '6.1.0 (36345)'];
/** Where participants join from. */
export const LOCATIONS = ['New York (US)', 'London (GB)', 'Berlin (DE)', 'Toronto (CA)'];
