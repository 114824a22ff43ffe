import { MIN_MS } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import { settingsUpdatedEvent } from '../webhooks.ts';
import { plantSessionMismatch } from '../identity.ts';
import type { PlantKit } from './kit.ts';

/*
 * Account and admin incidents: a sign-in from elsewhere during a meeting, a compromised admin who grants a role and
 * turns two-factor sign-in off, and another who turns the waiting room off.
 */

/** 1. A sign-in from a foreign IP while the user sits in a meeting from home (stolen credentials). */
export function signInDuringMeeting(k: PlantKit): void {
  const { before, out, pick, plant, incident, colleagues } = k;
  const victim = pick();
  const host = pick();
  const m = plant('Sprint review', host, before(6), 50, [victim, ...colleagues(victim, 2)]);
  const at = m.start + 22 * MIN_MS;
  const ip = '185.220.101.34';
  out.activities.push({ email: victim.email, time: iso(at), type: 'Sign in', ip_address: ip, client_type: 'Browser' });
  incident({
    id: 'sign-in-during-meeting',
    detection: 'zoom.activity.parallel_session_ip',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${victim.email} signs in from ${ip} while in "${m.topic}" from home`,
    match: { user_email: victim.email, ip_address: ip },
    related: [victim.email, ip, m.uuid],
  });
}

/** 3-4. A compromised admin account promotes a user to Admin and turns two-factor sign-in off. */
export function compromisedAdmin(k: PlantKit): void {
  const { before, out, pick, incident, accountId } = k;
  const adminA = k.people.admins[0];
  if (!adminA) return;
  const promoted = pick();
  const at = before(5, 30);
  out.operationLogs.push({
    time: iso(at),
    operator: adminA.email,
    category_type: 'User',
    action: 'Update',
    operation_detail: `Update User ${promoted.email}  - User Role: from Member to Admin`,
  });
  out.events.push({
    at,
    event: 'user.updated',
    payload: {
      account_id: accountId,
      operator: adminA.email,
      operator_id: adminA.userId,
      object: { id: promoted.userId, role_name: 'Admin' },
      old_object: { id: promoted.userId, role_name: 'Member' },
    },
  });
  out.roles.set(promoted.userId, '1');
  incident({
    id: 'admin-role-granted',
    detection: 'zoom.operation.privileged_role_granted',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${adminA.email} raises ${promoted.email} from Member to Admin`,
    match: { user_email: promoted.email },
    related: [promoted.email, adminA.email],
  });
  const off = before(5, 20);
  out.operationLogs.push({
    time: iso(off),
    operator: adminA.email,
    category_type: 'Account',
    action: 'Update',
    operation_detail: 'Security  - Sign in with Two-Factor Authentication: from On to Off',
  });
  incident({
    id: 'two-factor-off',
    detection: 'zoom.operation.security_setting_weakened',
    paths: ['scheduled'],
    time: iso(off),
    summary: `${adminA.email} turns two-factor sign-in off for the account (operation log)`,
    match: { operator: adminA.email },
    related: [adminA.email],
  });
}

/** 5. Another admin switches the waiting room off account-wide (webhook: realtime, and the scheduled detection). */
export function waitingRoomOff(k: PlantKit): void {
  const { before, out, incident, accountId } = k;
  const adminB = k.people.admins[1];
  if (!adminB) return;
  const at = before(3, 15);
  out.events.push(settingsUpdatedEvent(accountId, adminB, at, { in_meeting: { waiting_room: false } }, { in_meeting: { waiting_room: true } }));
  incident({
    id: 'waiting-room-off',
    detection: 'zoom.operation.security_setting_weakened',
    paths: ['realtime', 'scheduled'],
    time: iso(at),
    summary: `${adminB.email} turns the waiting room off for every meeting (account.settings_updated)`,
    match: { operator: adminB.email },
    related: [adminB.email],
  });
}

/** 24. A Zoom sign-in from abroad while the user's identity-provider session is at home (stolen Zoom session or password). */
export function idpSessionMismatch(k: PlantKit): void {
  const { before, out, pick, incident } = k;
  const victim = pick();
  const at = before(5);
  const plant = plantSessionMismatch(victim, at);
  out.activities.push(plant.activity);
  out.identity.push(plant.identity);
  out.unmirrored.push({ email: victim.email, at, ip: plant.match.ip_address });
  incident({
    id: 'idp-session-mismatch',
    detection: 'zoom.activity.session_mismatch_idp',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${victim.email} signs in to Zoom from ${plant.match.ip_address} while their identity-provider session is at home (${victim.home.ip})`,
    match: plant.match,
    related: [victim.email, plant.match.ip_address],
  });
}
