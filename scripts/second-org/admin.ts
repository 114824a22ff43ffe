import type { SimActivity, SimOperationLog } from '#local/zoom-simulator/org.ts';
import { Prng } from '#core/prng.ts';
import type { Calendar } from './calendar.ts';
import { DAY, HOUR, MIN, PLACES, type Person } from './model.ts';
import { isHoliday } from './people.ts';
import { isWeekend, iso, atLocal } from './util.ts';

/*
 * Routine account administration by the IT team: new starters added days before they start and licensed on their
 * first morning, leavers deactivated on their last day, a new IT hire made an admin, the controller given billing
 * admin, settings tightened (and one relaxed at a team's request), a GDPR erasure request handled by deleting the
 * recordings that held the requester.
 */

/** A webhook Zoom would send, at the time it happened. */
export interface ExtraHook {
  readonly time: number;
  readonly event: string;
  readonly payload: Record<string, unknown>;
  readonly top?: Record<string, unknown>;
}

export interface Extras {
  readonly opLogs: SimOperationLog[];
  readonly activities: SimActivity[];
  readonly hooks: ExtraHook[];
}

export const ACCOUNT_ID = 'lRkSpUr0AcCtZm7Qx2Vb9w';

const op = (time: number, operator: Person, category: string, action: string, detail: string): SimOperationLog => ({
  time: iso(time),
  operator: operator.email,
  category_type: category,
  action,
  operation_detail: detail,
});

/** The object of user.* webhooks. */
export const userObject = (p: Person) => ({ id: p.id, first_name: p.first, last_name: p.last, email: p.email, type: p.type });

export function adminWork(cal: Calendar, extras: Extras): void {
  const rng = new Prng(cal.seed, 'second-org:admin');
  const { key } = cal.dir;
  const itdir = key.itdir!;
  const admin1 = key.itadmin1!;
  const admin2 = key.itadmin2!;
  const ny = PLACES.NYC;
  const workday = (d: number) => !isWeekend(d) && !isHoliday(admin1, d);
  const within = (ms: number) => ms >= cal.firstDay && ms < cal.endMs;
  const push = (log: SimOperationLog | undefined, hook?: ExtraHook) => {
    if (log && within(Date.parse(log.time))) extras.opLogs.push(log);
    if (hook && within(hook.time)) extras.hooks.push(hook);
  };

  // New starters: added on a weekday before their start, licensed and signed in on their first morning.
  const starters = cal.dir.people.filter((p) => p.startDay === cal.dir.newHireDay);
  for (const p of starters) {
    const t = p.createdAt;
    push(op(t, admin2, 'User', 'Add', `Add User ${p.email}  - User Type: Basic - Department: ${p.dept}`), {
      time: t,
      event: 'user.created',
      payload: {
        account_id: ACCOUNT_ID,
        operator: admin2.email,
        operator_id: admin2.id,
        creation_type: 'create',
        object: { ...userObject(p), type: 1 },
      },
    });
    const lic = atLocal(cal.dir.newHireDay, 8 * 60 + 20 + rng.int(0, 25), ny);
    push(op(lic, admin2, 'User', 'Update', `Edit User ${p.email}  - Change Type: from Basic to Licensed`), {
      time: lic,
      event: 'user.updated',
      payload: {
        account_id: ACCOUNT_ID,
        operator: admin2.email,
        operator_id: admin2.id,
        time_stamp: lic,
        object: { id: p.id, type: 2 },
        old_object: { id: p.id, type: 1 },
      },
    });
  }
  cal.note({
    id: 'admin-new-starters',
    summary: 'IT adds the new starters a few days ahead and licenses them on their first morning',
    emails: [admin2.email],
    names: [],
    meetings: [],
    ips: [],
  });
  // The new IT support specialist is made an admin on day one (he runs the help desk).
  const helpdesk = key.helpdesk!;
  const grant = atLocal(cal.dir.newHireDay, 11 * 60 + 5, ny);
  push(op(grant, itdir, 'User', 'Update', `Update User ${helpdesk.email}  - User Role: from Member to Admin`), {
    time: grant,
    event: 'user.updated',
    payload: {
      account_id: ACCOUNT_ID,
      operator: itdir.email,
      operator_id: itdir.id,
      time_stamp: grant,
      object: { id: helpdesk.id, role_name: 'Admin' },
      old_object: { id: helpdesk.id, role_name: 'Member' },
    },
  });
  if (grant < cal.endMs) {
    helpdesk.roleId = '1';
    helpdesk.roleName = 'Admin';
  }
  cal.note({
    id: 'role-new-it-hire',
    summary: `the IT director makes the new IT support specialist ${helpdesk.name} an Admin on his first day (he runs the help desk)`,
    emails: [itdir.email, helpdesk.email],
    names: [helpdesk.name],
    meetings: [],
    ips: [],
  });
  // The controller gets Billing Admin to download invoices (finance's request, a custom role).
  let cd = cal.firstDay + 3 * DAY;
  while (!workday(cd)) cd += DAY;
  const controller = key.controller!;
  const billing = atLocal(cd, 10 * 60 + 40, ny);
  push(op(billing, admin1, 'Role', 'Update', `Change Role  - ${controller.email}: from Member to Billing Admin`));
  controller.roleId = 'bA7kQm2RTv-3xYcLw9Pz1g';
  controller.roleName = 'Billing Admin';
  cal.note({
    id: 'role-billing-admin',
    summary: `IT gives the controller ${controller.name} the Billing Admin role to download invoices`,
    emails: [admin1.email, controller.email],
    names: [controller.name],
    meetings: [],
    ips: [],
  });
  // A support specialist moves to customer success; a promotion changes a title.
  const mover = cal.dir.people.find((p) => p.key === 'sup2')!;
  let md = cal.firstDay + 6 * DAY;
  while (!workday(md) || !workday(md + DAY)) md += DAY;
  push(op(atLocal(md, 9 * 60 + 50, ny), admin2, 'User', 'Update', `Update User ${mover.email}  - Department: from Support to Customer Success`));
  push(
    op(
      atLocal(md + DAY, 14 * 60 + 12, ny),
      admin2,
      'User',
      'Update',
      `Update User ${key.aeNA1!.email}  - Job Title: set to Senior Account Executive`,
    ),
  );
  // Leavers, deactivated on their last day.
  for (const leaver of [key.leaverA!, key.leaverB!]) {
    const t = leaver.deactivatedAt!;
    push(op(t, admin1, 'User', 'Update', `Deactivate User ${leaver.email}`), {
      time: t,
      event: 'user.deactivated',
      payload: { account_id: ACCOUNT_ID, operator: admin1.email, operator_id: admin1.id, object: userObject(leaver) },
    });
    // Zoom signs the user out everywhere.
    extras.activities.push({ email: leaver.email, time: iso(t + 4000), type: 'Sign out', ip_address: '', client_type: 'Browser', version: '' });
  }
  cal.note({
    id: 'leaver-deactivation',
    summary: 'IT deactivates leavers at the end of their last day (one at 16:30 during his farewell call, as HR asked)',
    emails: [admin1.email, key.leaverA!.email, key.leaverB!.email],
    names: [key.leaverA!.name, key.leaverB!.name],
    meetings: [],
    ips: [],
  });
  // Settings: passcodes required (tighter), recording auto-delete shortened, the Zoom Room in London added, one-click
  // join links (a mild relaxation everyone asked for), join-before-host for support's escalation bridge (a group change).
  const settingsDays: number[] = [];
  for (let d = cal.firstDay; d <= cal.lastDay; d += DAY) if (workday(d)) settingsDays.push(d);
  const sd = (i: number) => settingsDays[Math.min(settingsDays.length - 1, i)]!;
  const changes: {
    day: number;
    minute: number;
    by: Person;
    category: string;
    detail: string;
    settings?: Record<string, unknown>;
    old?: Record<string, unknown>;
    group?: string;
  }[] = [
    {
      day: sd(1),
      minute: 10 * 60 + 15,
      by: admin1,
      category: 'Account',
      detail: 'Security  - Require a passcode when scheduling new meetings: from Off to On',
      settings: { schedule_meeting: { require_password_for_scheduling_new_meetings: true } },
      old: { schedule_meeting: { require_password_for_scheduling_new_meetings: false } },
    },
    { day: sd(2), minute: 15 * 60 + 2, by: admin2, category: 'Zoom Rooms', detail: 'Add Zoom Rooms LON 3F Thames' },
    {
      day: sd(4),
      minute: 11 * 60 + 30,
      by: admin1,
      category: 'Account',
      detail: 'Recording  - Delete cloud recordings after a specified number of days: from 365 to 180',
      settings: { recording: { auto_delete_cmr: true, auto_delete_cmr_days: 180 } },
      old: { recording: { auto_delete_cmr: true, auto_delete_cmr_days: 365 } },
    },
    {
      day: sd(6),
      minute: 9 * 60 + 40,
      by: admin2,
      category: 'Account',
      detail: 'Meeting  - Embed passcode in invite link for one-click join: from Off to On',
      settings: { schedule_meeting: { embed_password_in_join_link: true } },
      old: { schedule_meeting: { embed_password_in_join_link: false } },
    },
    {
      day: sd(8),
      minute: 16 * 60 + 20,
      by: admin1,
      category: 'Account',
      detail: 'Meeting  - Allow live streaming meetings: from Off to On',
      settings: { in_meeting: { allow_live_streaming: true } },
      old: { in_meeting: { allow_live_streaming: false } },
    },
    {
      day: sd(settingsDays.length - 2),
      minute: 10 * 60 + 5,
      by: admin2,
      category: 'Group',
      detail: 'Edit Group Support  - Join before host: from Off to On',
      group: 'Support',
      settings: { schedule_meeting: { join_before_host: true } },
      old: { schedule_meeting: { join_before_host: false } },
    },
    {
      day: sd(settingsDays.length - 1),
      minute: 11 * 60 + 45,
      by: admin1,
      category: 'Account',
      detail: 'Meeting Security  - Waiting Room options: from Users not in your account to Everyone except users in allowed domains',
      settings: {
        meeting_security: {
          waiting_room_settings: {
            participants_to_place_in_waiting_room: 2,
            whitelisted_domains_for_waiting_room: 'larkspur.example,larkspur.co.uk',
          },
        },
      },
      old: { meeting_security: { waiting_room_settings: { participants_to_place_in_waiting_room: 1 } } },
    },
  ];
  for (const c of changes) {
    const t = atLocal(c.day, c.minute, ny);
    const hook: ExtraHook | undefined = c.settings
      ? c.group
        ? {
            time: t,
            event: 'group.settings_updated',
            payload: {
              account_id: ACCOUNT_ID,
              operator: c.by.email,
              operator_id: c.by.id,
              time_stamp: t,
              object: { id: 'gSupp0rtGr0upId0000001', name: c.group, settings: c.settings },
              old_object: { id: 'gSupp0rtGr0upId0000001', settings: c.old },
            },
          }
        : {
            time: t,
            event: 'account.settings_updated',
            payload: {
              account_id: ACCOUNT_ID,
              operator: c.by.email,
              operator_id: c.by.id,
              time_stamp: t,
              object: { id: ACCOUNT_ID, settings: c.settings },
              old_object: { id: ACCOUNT_ID, settings: c.old },
            },
          }
      : undefined;
    push(op(t, c.by, c.category, 'Update', c.detail), hook);
  }
  cal.note({
    id: 'settings-changes',
    summary:
      "IT admins change account settings in business hours: passcodes required, recording auto-delete shortened, a Zoom Room added, live streaming allowed for marketing, one-click join links (passcode embedded) after user complaints, join-before-host for the Support group's escalation bridge, waiting-room options adjusted",
    emails: [admin1.email, admin2.email],
    names: [],
    meetings: [],
    ips: [],
  });
  // A GDPR erasure request: an EU customer contact asks to be erased; IT deletes the three recordings that hold her.
  const euCustomer = cal.dir.customers.find((c) => c.place.cc !== 'US' && c.place.cc !== 'CA')!;
  const theirs = cal.plans
    .filter(
      (p) =>
        p.recording &&
        !p.recording.deleted &&
        p.end < cal.endMs - 2 * DAY &&
        p.attendees.some((a) => 'x' in a.who && a.who.x.org === euCustomer.name),
    )
    .slice(0, 3);
  let gd = cal.lastDay - 2 * DAY;
  while (!workday(gd)) gd -= DAY;
  let gt = atLocal(gd, 14 * 60 + 20, ny);
  for (const p of theirs) {
    if (p.end >= gt) continue;
    p.recording!.deleted = {
      at: gt,
      by: admin1,
      permanent: true,
      why: `GDPR erasure request from a ${euCustomer.name} contact (legal ticket)`,
      viaAdminConsole: true,
    };
    gt += rng.int(40, 110) * 1000;
  }
  const erased = theirs.filter((p) => p.recording?.deleted?.by === admin1);
  if (erased.length > 0)
    cal.note({
      id: 'gdpr-erasure',
      summary: `IT admin ${admin1.name} deletes ${erased.length} recordings of other hosts within minutes, in business hours, to honour a GDPR erasure request from a ${euCustomer.name} contact (ticket from legal)`,
      emails: [admin1.email],
      names: [admin1.name],
      meetings: erased.map((p) => p.uuid),
      ips: [],
    });
  void HOUR;
  void MIN;
}
