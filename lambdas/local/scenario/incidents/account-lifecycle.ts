import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import { settingsUpdatedEvent } from '../webhooks.ts';
import type { PlantKit } from './kit.ts';

/*
 * Account lifecycle incidents: the compromised admin, who never created an account, creates one for themselves to
 * come back through and makes a colleague a group admin in the small hours; the other admin turns off the alert that
 * shows guests in meetings.
 */

/** 24. The compromised admin creates an account (operation log and user.created webhook). */
export function backdoorAccount(k: PlantKit): void {
  const { before, out, incident, accountId, people } = k;
  const adminA = people.admins[0];
  if (!adminA) return;
  const at = before(7, 20);
  const email = `svc-backup@${people.domain}`;
  out.operationLogs.push({
    time: iso(at),
    operator: adminA.email,
    category_type: 'User',
    action: 'Add',
    operation_detail: `Add User ${email}  - User Type: Licensed`,
  });
  out.events.push({
    at,
    event: 'user.created',
    payload: {
      account_id: accountId,
      operator: adminA.email,
      operator_id: adminA.userId,
      creation_type: 'create',
      object: { id: 'svcBackup0000000000001', first_name: 'Backup', last_name: 'Service', email, type: 2 },
    },
  });
  incident({
    id: 'account-created-by-unusual-operator',
    detection: 'zoom.operation.account_lifecycle',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${adminA.email}, who created no account before, creates ${email}`,
    match: { operator: adminA.email, user_email: email },
    related: [adminA.email, email],
  });
}

/** 25. The compromised admin makes a colleague admin of a group (group.admin_added). */
export function groupAdminAdded(k: PlantKit): void {
  const { before, out, pick, incident, accountId, people } = k;
  const adminA = people.admins[0];
  if (!adminA) return;
  const grantee = pick();
  const at = before(6, 50);
  out.events.push({
    at,
    event: 'group.admin_added',
    payload: {
      account_id: accountId,
      operator: adminA.email,
      operator_id: adminA.userId,
      time_stamp: at,
      object: { id: 'grpFinanceOps00000001', admins: [{ id: grantee.userId, email: grantee.email }] },
    },
  });
  incident({
    id: 'group-admin-added',
    detection: 'zoom.operation.account_lifecycle',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${adminA.email} makes ${grantee.email} an admin of a group`,
    match: { operator: adminA.email, user_email: grantee.email },
    related: [adminA.email, grantee.email],
  });
}

/** 26. The other admin turns off "Identify guest participants" for the account (account.settings_updated). */
export function guestAlertOff(k: PlantKit): void {
  const { before, out, incident, accountId, people } = k;
  const adminB = people.admins[1];
  if (!adminB) return;
  const at = before(3, 5);
  out.events.push(
    settingsUpdatedEvent(accountId, adminB, at, { in_meeting: { alert_guest_join: false } }, { in_meeting: { alert_guest_join: true } }),
  );
  incident({
    id: 'guest-join-alert-off',
    detection: 'zoom.operation.account_lifecycle',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${adminB.email} turns off the alert that identifies guests in meetings`,
    match: { operator: adminB.email },
    related: [adminB.email],
  });
}
