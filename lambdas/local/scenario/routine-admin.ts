import { Prng } from '#core/prng.ts';
import type { SimOperationLog } from '../zoom-simulator/org.ts';
import { isoSeconds as iso } from '../zoom-simulator/org.ts';
import type { BackgroundPattern } from './manifest.ts';
import { FIRST, LAST, PARTNER_DOMAIN } from './people-data.ts';
import type { People } from './people.ts';
import { HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';
import { settingsUpdatedEvent, type WebhookEvent } from './webhooks.ts';

/*
 * Routine account administration, benign with or without incidents: the IT director onboards contractors and new
 * hires every other working day (a batch on the last one), SSO creates an account when someone first signs in, and
 * the director removes a group admin, turns the guest alert on, drops a partner's domain from the sign-in domain list
 * and saves an information-barrier policy unchanged. Its own seeded stream, so the rest of the scenario is unchanged.
 */

/** What the routine administration adds. */
export interface RoutineAdmin {
  readonly operationLogs: SimOperationLog[];
  readonly events: WebhookEvent[];
  readonly patterns: BackgroundPattern[];
}

/** The routine administration of `people`'s account over `t` (webhooks from `t.liveFrom` on). */
export function routineAdmin(seed: number, people: People, t: Timeline, accountId: string): RoutineAdmin {
  const rng = new Prng(seed, 'scenario-routine-admin');
  const owner = people.owner;
  const taken = new Set(people.employees.map((e) => e.email));
  const operationLogs: SimOperationLog[] = [];
  const events: WebhookEvent[] = [];
  const onboarded: string[] = [];
  const newEmail = (): string => {
    for (;;) {
      const email = `${rng.pick(FIRST)}.${rng.pick(LAST)}@${people.domain}`.toLowerCase();
      if (!taken.has(email)) {
        taken.add(email);
        return email;
      }
    }
  };
  const created = (at: number, email: string, operator: typeof owner | undefined, creationType: string) => {
    if (at < t.liveFrom) return;
    events.push({
      at,
      event: 'user.created',
      payload: {
        account_id: accountId,
        ...(operator ? { operator: operator.email, operator_id: operator.userId } : {}),
        creation_type: creationType,
        object: { id: rng.chars(22, '-_'), email, type: 1 },
      },
    });
  };

  const lastDay = t.workingDays[t.workingDays.length - 1];
  t.workingDays.forEach((day, i) => {
    if (i % 2 !== 0 && day !== lastDay) return;
    const count = day === lastDay ? 3 : rng.int(1, 2);
    let at = day + rng.int(10 * 60, 14 * 60) * MIN_MS;
    for (let n = 0; n < count && at <= t.end - 10 * MIN_MS; n++, at += 2 * MIN_MS) {
      const email = newEmail();
      onboarded.push(email);
      operationLogs.push({
        time: iso(at),
        operator: owner.email,
        category_type: 'User',
        action: 'Add',
        operation_detail: `Add User ${email}  - User Type: Licensed`,
      });
      created(at, email, owner, 'create');
    }
  });
  // Single sign-on creates the account of someone who signs in for the first time: no operator.
  const ssoUser = newEmail();
  created(t.liveFrom + 9 * HOUR_MS + 30 * MIN_MS, ssoUser, undefined, 'ssoCreate');

  const by = { account_id: accountId, operator: owner.email, operator_id: owner.userId };
  const at = (h: number) => t.liveFrom + h * HOUR_MS;
  const later = [
    {
      at: at(12),
      event: 'group.admin_deleted',
      payload: { ...by, time_stamp: at(12), object: { id: 'grpSalesLeads000000001', admins: [{ id: people.admins[0]?.userId ?? owner.userId }] } },
    },
    settingsUpdatedEvent(accountId, owner, at(13), { in_meeting: { alert_guest_join: true } }, { in_meeting: { alert_guest_join: false } }),
    settingsUpdatedEvent(
      accountId,
      owner,
      at(13.5),
      { schedule_meeting: { enforce_login_domains: people.domains.join(',') } },
      { schedule_meeting: { enforce_login_domains: [...people.domains, PARTNER_DOMAIN].join(',') } },
    ),
    {
      at: at(14),
      event: 'information_barriers.policy_updated',
      payload: { account_id: accountId, object: { id: 'ibResearchSales000001', new_policy: barrier(), old_policy: barrier() } },
    },
  ];
  events.push(...later.filter((e) => e.at <= t.end - 10 * MIN_MS));

  return {
    operationLogs,
    events,
    patterns: [
      {
        id: 'routine-onboarding',
        summary: `${owner.email} adds ${onboarded.length} accounts on every other working day (a batch on the last); SSO creates ${ssoUser}`,
        related: [owner.email, ...onboarded, ssoUser],
      },
    ],
  };
}

/** An information-barrier policy between research and sales, as Zoom sends it. */
function barrier(): Record<string, unknown> {
  return {
    assigned_group_id: 'grpResearch0000000001',
    to_group_id: 'grpSales000000000001',
    policy_name: 'Research - Sales wall',
    settings: {
      meeting: false,
      screen_share: false,
      file_transfer: false,
      in_meeting_chat: false,
      im: false,
      recording: false,
      complete_phone_calls: false,
      message_via_sms: false,
    },
    type: 0,
    status: 1,
  };
}
