/**
 * Where each Zoom webhook event goes besides `webhook_events` (which keeps every verified event raw): the typed table
 * its rows land in, and whether the realtime checks read it. One definition for the normaliser (normalise.ts), the
 * realtime bus rule (REALTIME_EVENTS) and the event table in docs/data-model.md.
 */

/** The typed tables webhook events feed (every event is also kept raw in `webhook_events`). */
export const WEBHOOK_TABLES = [
  'participant_events',
  'meeting_events',
  'recording_events',
  'user_events',
  'account_events',
  'registration_events',
  'meeting_chat_events',
  'participant_quality_events',
] as const;
export type WebhookTable = (typeof WEBHOOK_TABLES)[number];

/** Routes every action of an event family (any `account.*` event, for instance). */
export const ANY_ACTION = '*';

/** The events of some families (`meeting` in `meeting.started`) that feed one typed table. */
export interface EventRoute {
  /** The typed table the events' rows go to. */
  readonly table: WebhookTable;
  /** The event families the actions apply to. */
  readonly families: readonly string[];
  /** The actions routed to the table (each of every family), or ANY_ACTION. */
  readonly actions: readonly string[] | typeof ANY_ACTION;
  /** The actions (of every family above) the realtime checks read; the realtime bus rule forwards exactly these. */
  readonly realtime: readonly string[];
}

const MEETING_ACTIONS = ['created', 'updated', 'deleted', 'permanently_deleted', 'recovered', 'started', 'ended', 'risk_alert', 'alert'];

/** The typed-table routes, in the order the realtime bus rule lists their events. Families and actions do not overlap. */
export const EVENT_ROUTES: readonly EventRoute[] = [
  {
    table: 'meeting_events',
    families: ['meeting'],
    actions: MEETING_ACTIONS,
    realtime: ['started', 'ended', 'risk_alert'],
  },
  // Webinars' own events: typed like meetings', but the realtime checks keep no live state for webinars; they read
  // only Zoom's warning that a (sensitive) webinar's link is public.
  { table: 'meeting_events', families: ['webinar'], actions: MEETING_ACTIONS, realtime: ['risk_alert'] },
  {
    table: 'participant_events',
    families: ['meeting', 'webinar'],
    actions: [
      'participant_joined',
      'participant_left',
      'participant_joined_waiting_room',
      'participant_left_waiting_room',
      'participant_admitted',
      'participant_put_in_waiting_room',
      'participant_role_changed',
      'sharing_started',
      'sharing_ended',
      // Joins before the host: a meeting link used while nobody is watching. Zoom sends no email or IP on them.
      'participant_jbh_joined',
      'participant_jbh_waiting',
      'participant_jbh_waiting_left',
    ],
    // The realtime checks treat a join before the host as a join, and waiting for the host as a waiting-room join.
    realtime: ['participant_joined', 'participant_joined_waiting_room', 'participant_jbh_joined', 'participant_jbh_waiting'],
  },
  {
    table: 'recording_events',
    families: ['recording'],
    actions: ['completed', 'deleted', 'trashed', 'recovered', 'batch_deleted', 'batch_trashed', 'batch_recovered', 'renamed'],
    realtime: ['deleted', 'trashed', 'batch_deleted', 'batch_trashed'],
  },
  {
    table: 'user_events',
    families: ['user'],
    actions: ['signed_in', 'signed_out', 'created', 'updated', 'deactivated', 'activated', 'deleted', 'disassociated', 'settings_updated'],
    realtime: ['created', 'activated', 'deactivated', 'deleted', 'disassociated', 'updated'],
  },
  { table: 'account_events', families: ['account'], actions: ANY_ACTION, realtime: ['settings_updated'] },
  // Group admins and members, information-barrier policies: account changes a security team audits.
  { table: 'account_events', families: ['group', 'information_barriers'], actions: ANY_ACTION, realtime: [] },
  {
    table: 'registration_events',
    families: ['meeting', 'webinar'],
    actions: ['registration_created', 'registration_approved', 'registration_cancelled', 'registration_denied'],
    realtime: [],
  },
  // Invitations to a meeting (Zoom documents no webinar.invitation_* events).
  {
    table: 'registration_events',
    families: ['meeting'],
    actions: ['invitation_accepted', 'invitation_dispatched', 'invitation_rejected', 'invitation_timeout'],
    realtime: [],
  },
  // Registrations for on-demand cloud recordings (a recording shared with registration).
  {
    table: 'registration_events',
    families: ['recording'],
    actions: ['registration_created', 'registration_approved', 'registration_denied'],
    realtime: [],
  },
  {
    table: 'meeting_chat_events',
    families: ['meeting', 'webinar'],
    actions: ['chat_message_file_sent', 'chat_message_file_downloaded'],
    realtime: [],
  },
  {
    table: 'participant_quality_events',
    families: ['meeting', 'webinar'],
    actions: ['participant_qos', 'participant_qos_summary', 'participant_feedback', 'participant_data', 'participant_data_summary'],
    realtime: [],
  },
];

/**
 * The route of an event and its action (`meeting.participant_joined` is family `meeting`, action `participant_joined`),
 * or undefined when no typed table takes it (it is still kept raw).
 */
export function routeOf(event: string): { readonly route: EventRoute; readonly action: string } | undefined {
  const dot = event.indexOf('.');
  if (dot < 0 || dot === event.length - 1) return undefined;
  const family = event.slice(0, dot);
  const action = event.slice(dot + 1);
  const route = EVENT_ROUTES.find((r) => r.families.includes(family) && (r.actions === ANY_ACTION || r.actions.includes(action)));
  return route && { route, action };
}

/** Event names the realtime path handles; the bus rule forwards exactly these. */
export const REALTIME_EVENTS: readonly string[] = EVENT_ROUTES.flatMap((r) =>
  r.realtime.flatMap((action) => r.families.map((f) => `${f}.${action}`)),
);
