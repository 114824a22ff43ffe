import { Prng } from '#core/prng.ts';
import { ACCOUNT_ID, type Extras } from './admin.ts';
import type { Calendar } from './calendar.ts';
import { DAY, HOUR, MIN, PLACES, type Attendance, type Device, type External, type Person, type Plan } from './model.ts';
import { NET, oneOff } from './people.ts';
import { atLocal, dayStart, hex, iso, isWeekend, localOf, macAddr, slug } from './util.ts';

/*
 * Eight attacks, designed from threat descriptions (not from any detection's logic): what each looks like in the
 * data Zoom gives, and who and what it involves. Every attack is recorded in the manifest; the runner judges an alert
 * "planted" when it names an attack's actors (or, for actors who are also ordinary people, names them in the attack's
 * meetings or time window).
 */

export interface Attack {
  readonly id: string;
  readonly threat: string;
  readonly summary: string;
  readonly at: string;
  /** Who did it: values that belong only to the attack. */
  readonly actors: { emails: string[]; names: string[]; ips: string[]; devices: string[]; operators: string[] };
  /** Identities that are also ordinary people (the impersonated CEO's name, a compromised admin): count only in the attack's meetings or window. */
  readonly borrowed: { emails: string[]; names: string[]; operators: string[]; ips?: string[] };
  readonly meetings: { uuid: string; id: string; topic: string; start: string }[];
  readonly window: [string, string];
  /** When Zoom itself warned about the attack before its window (the At-Risk Meeting Notifier's meeting.risk_alert). */
  readonly warnedAt?: string;
}

const meetingRef = (p: Plan) => ({ uuid: p.uuid, id: String(p.id), topic: p.topic, start: iso(p.start) });

/** The latest New York business-hours slot (09:00-17:00, on the half hour) that ends at least `leadMin` before the end. */
function slotBefore(cal: Calendar, leadMin: number, minutes: number): number {
  let t = Math.floor((cal.endMs - (leadMin + minutes) * MIN) / (30 * MIN)) * 30 * MIN;
  for (;;) {
    const local = localOf(t, PLACES.NYC);
    if (!isWeekend(local.day) && local.minutes >= 9 * 60 && local.minutes <= 17 * 60) return t;
    t -= 30 * MIN;
  }
}

export function plantAttacks(cal: Calendar, extras: Extras): Attack[] {
  const rng = new Prng(cal.seed, 'second-org:attacks');
  const { key } = cal.dir;
  const attacks: Attack[] = [];
  const endLocalDay = localOf(cal.endMs, PLACES.NYC).day;
  const attacker = (group: string, name: string, email: string, place: (typeof PLACES)[keyof typeof PLACES], opts: Partial<External> = {}) =>
    oneOff(cal.dir, 'attacker', group, name, email, 'attacker', place, opts);

  // A1. A departed account executive joins his old team's daily huddle, the morning after IT deactivated him, with his
  // personal Zoom account; the manager admits him from the waiting room (she recognises the name).
  {
    const leaver = key.leaverB!;
    // The first huddle after his deactivation (people.ts puts that morning before the end).
    const huddle = cal.plans
      .filter((p) => p.key.startsWith('huddle:NA:') && p.start > leaver.deactivatedAt! && p.end <= cal.endMs)
      .sort((a, b) => a.start - b.start)[0];
    if (!huddle) throw new Error('no huddle after the leaver left');
    const personal = `${slug(leaver.first)}.${slug(leaver.last)}.${rng.int(70, 99)}@gmail.com`;
    const homeIp = leaver.home.v4 ?? `${leaver.home.v6prefix}:1c4e:9a1f:33b0:7d2e`;
    const x = attacker('departed', leaver.name, personal, PLACES.NYC, {
      ip: homeIp,
      mode: 'app',
      client: 'Mac',
      os: 'Mac',
      osVersion: '15.6.1',
      version: '6.6.10.24331',
    });
    huddle.attendees.push({ who: { x }, joinOffset: 2, leaveEarly: 0, briefMin: 12, waitingRoom: true });
    attacks.push({
      id: 'A1-departed-employee-old-link',
      threat: 'a departed employee still joining with an old link after deactivation',
      summary: `${leaver.name} (account executive, deactivated ${iso(leaver.deactivatedAt!)}) joins the "NA sales huddle" recurring link next morning with his personal Zoom account ${personal}, from his home IP; admitted from the waiting room, listens 12 minutes`,
      at: iso(huddle.start),
      actors: { emails: [personal], names: [], ips: [], devices: [], operators: [] },
      borrowed: { emails: [leaver.email], names: [leaver.name], operators: [], ips: [homeIp] },
      meetings: [meetingRef(huddle)],
      window: [iso(leaver.deactivatedAt!), iso(huddle.end + HOUR)],
    });
  }

  // A2. Zoombombing: the public office-hours link was reposted on a social site; a crowd of throwaway guests joins
  // within three minutes from many countries, tries to share their screens and is removed by the host. Zoom's At-Risk
  // Meeting Notifier had flagged the post an hour earlier (meeting.risk_alert).
  {
    const instances = cal.plans.filter((p) => p.key.startsWith('office-hours:') && p.end < cal.endMs - 30 * MIN).sort((a, b) => b.start - a.start);
    const target = instances[0];
    if (!target) throw new Error('no office hours instance to raid');
    const handles = [
      'xX_n00b_Xx',
      'Joe Mama',
      'ligma',
      'Raid Boss',
      'Hugh Jass',
      'zoomraider',
      'anon',
      'Guest',
      'iPhone',
      'Ben Dover',
      'lol',
      'Mike Oxlong',
      'DISCORD RAID',
      'pog',
      'unmute me',
      'Galaxy A14',
      'teacher',
      'Amanda Hugginkiss',
      'Seymour Butz',
      'bruh',
      'user1234',
      'Mr Bean',
      'e-girl',
      'Zoom user',
    ];
    const places = [
      PLACES.SAO,
      PLACES.JKT,
      PLACES.LAG,
      PLACES.HAN,
      PLACES.MOW,
      PLACES.BUC,
      PLACES.SYD,
      PLACES.SIN,
      PLACES.LON,
      PLACES.DEN,
      PLACES.PAR,
      PLACES.MEX,
    ];
    const raiders: External[] = [];
    const n = rng.int(18, 24);
    for (let i = 0; i < n; i++) {
      const name = handles[i % handles.length]!;
      const throwaway = rng.chance(0.25);
      const email = throwaway ? `${slug(name) || 'user'}${rng.int(100, 9999)}@${rng.pick(['gmail.com', 'proton.me', 'outlook.com'])}` : '';
      raiders.push(
        attacker('raid', name, email, rng.pick(places), {
          mode: throwaway ? 'app' : 'browser',
          client: throwaway ? rng.pick(['Windows', 'Android', 'iOS']) : 'Web',
          os: rng.pick(['Windows', 'Android', 'iOS']),
          version: throwaway ? '6.4.0.20030' : '',
        }),
      );
    }
    const wave = rng.int(10, 16);
    for (const [i, x] of raiders.entries()) {
      const removed = i % 2 === 0;
      const stay = removed ? rng.int(1, 3) : rng.int(2, 7);
      target.attendees.push({
        who: { x },
        joinOffset: wave + Math.floor(i / 8),
        leaveEarly: 0,
        briefMin: stay,
        removed,
        ...(i % 4 === 1 ? { shares: true } : {}),
        ...(x.mode === 'browser' ? { browser: true } : {}),
      });
    }
    const alertAt = target.start + (wave - 55) * MIN;
    extras.hooks.push({
      time: alertAt,
      event: 'meeting.risk_alert',
      payload: {
        account_id: ACCOUNT_ID,
        object: {
          id: target.id,
          uuid: target.uuid,
          host_id: target.host.id,
          host_email: target.host.email,
          topic: target.topic,
          type: target.type,
          start_time: iso(target.start),
          timezone: 'America/New_York',
          armn_details: {
            post_platform: 'reddit',
            social_link: `https://social.example/r/zoomraids/comments/${hex(6, 'raidpost', cal.seed)}`,
            post_time: iso(alertAt - 7 * MIN),
            post_user: 'throwaway_9912',
            meeting_url: `https://larkspur.zoom.us/j/${target.id}`,
            recommended_enable_settings: ['enablePassword', 'enableWaitingRoom'],
            recommended_disable_settings: ['enableScreenShareHostOnly'],
          },
        },
      },
    });
    attacks.push({
      id: 'A2-zoombombing-public-link',
      threat: 'a zoombombing raid on a publicly posted link',
      summary: `${n} throwaway guests raid "${target.topic}" ${wave} minutes in, within 3 minutes, from ${new Set(raiders.map((r) => r.place.cc)).size} countries; some try to share their screen, half are removed by the host; Zoom's risk alert flagged the reposted link an hour before`,
      at: iso(target.start + wave * MIN),
      actors: {
        emails: raiders.map((r) => r.email).filter(Boolean),
        names: [...new Set(raiders.map((r) => r.name))].filter((nm) => !['Guest', 'iPhone', 'Zoom user'].includes(nm)),
        ips: raiders.map((r) => r.ip),
        devices: [],
        operators: [],
      },
      borrowed: { emails: [], names: ['Guest', 'iPhone', 'Zoom user'], operators: [] },
      meetings: [meetingRef(target)],
      window: [iso(target.start + (wave - 1) * MIN), iso(target.start + (wave + 12) * MIN)],
      warnedAt: iso(alertAt),
    });
  }

  // A3. A deepfaked CEO: a guest using the CEO's name joins an "urgent" payment call the AP specialist set up after a
  // spoofed email; she pushes for a same-day wire. The controller joins late.
  {
    const ceo = key.ceo!;
    const ap = key.ap!;
    const t = slotBefore(cal, 60, 30);
    const fake = attacker('deepfake', ceo.name, '', PLACES.AMS, {
      mode: 'browser',
      client: 'Web',
      os: 'Windows',
      osVersion: '10.0.19045',
      version: '',
      ip: '192.0.2.166',
    });
    const atts: Attendance[] = [
      { who: { x: fake }, joinOffset: 1, leaveEarly: 0, briefMin: 16, browser: true, waitingRoom: true },
      { who: { p: key.controller! }, joinOffset: 9, leaveEarly: 4 },
    ];
    const plan = cal.meet({
      key: 'attack:deepfake',
      host: ap,
      topic: 'Quick sync – urgent vendor payment',
      type: 2,
      start: t,
      minutes: 30,
      attendees: atts,
      category: 'attack',
      waitingRoom: true,
    });
    attacks.push({
      id: 'A3-deepfake-ceo-finance-call',
      threat: "a deepfaked executive (a guest using the CEO's name) on a call with finance",
      summary: `a browser guest named "${ceo.name}" (the CEO's name, not signed in, VPS IP 192.0.2.166 in Amsterdam) joins "${plan.topic}" hosted by AP specialist ${ap.name} and pushes a same-day wire; the real CEO is elsewhere`,
      at: iso(t),
      actors: { emails: [], names: [], ips: ['192.0.2.166'], devices: [], operators: [] },
      borrowed: { emails: [], names: [ceo.name], operators: [] },
      meetings: [meetingRef(plan)],
      window: [iso(t), iso(plan.end)],
    });
  }

  // A4. An outsider with a leaked forwarded invite sits in board and M&A meetings: the board meeting, the Project Heron
  // deal syncs and the acquisition committee, camera off, sometimes signed in with Gmail, sometimes as a named guest.
  {
    const name = 'Martin Ostrander';
    const email = 'm.ostrander.advisory@gmail.com';
    const ip = '192.0.2.171';
    const x = attacker('outsider', name, email, PLACES.BOS, { ip, mode: 'app', client: 'Windows', os: 'Windows', version: '6.5.12.22877' });
    const guest = attacker('outsider-guest', name, '', PLACES.BOS, { ip, mode: 'browser', client: 'Web', os: 'Windows', version: '' });
    const targets = cal.plans
      .filter((p) => (p.key === 'board' || p.key.startsWith('heron-sync:') || p.key === 'heron-committee') && p.end < cal.endMs - 10 * MIN)
      .sort((a, b) => a.start - b.start);
    targets.forEach((p, i) => {
      p.attendees.push({
        who: { x: i % 2 === 0 ? x : guest },
        joinOffset: rng.int(4, 12),
        leaveEarly: rng.int(2, 10),
        ...(i % 2 === 1 ? { browser: true } : {}),
        ...(p.waitingRoom ? { waitingRoom: true } : {}),
      });
    });
    attacks.push({
      id: 'A4-outsider-in-board-and-mna',
      threat: 'an outsider repeatedly present in board/M&A meetings',
      summary: `"${name}" (${email}, or as a guest of that name; always IP ${ip}) sits in ${targets.length} board/M&A meetings (${targets.map((t) => t.topic).join('; ')}) with a forwarded invite, joining late, leaving early`,
      at: iso(targets[0]?.start ?? cal.endMs),
      actors: { emails: [email], names: [name], ips: [ip], devices: [], operators: [] },
      borrowed: { emails: [], names: [], operators: [] },
      meetings: targets.map(meetingRef),
      window: [iso(targets[0]?.start ?? cal.endMs), iso(cal.endMs)],
    });
  }

  // A5. A compromised admin account bulk-deletes recordings at 3 a.m.: a sign-in from Bucharest, then fourteen
  // recordings of other hosts moved to the trash within minutes and six purged from it.
  const admin = key.itadmin1!;
  {
    let t = atLocal(endLocalDay, 3 * 60 + 10, PLACES.NYC);
    if (t > cal.endMs - 40 * MIN) t -= DAY;
    const ip = '192.0.2.177';
    extras.activities.push({ email: admin.email, time: iso(t - 8 * MIN), type: 'Sign in', ip_address: ip, client_type: 'Browser', version: '' });
    const pool = cal.plans
      .filter((p) => p.recording && !p.recording.deleted && p.end + 2 * HOUR < t && p.host !== admin)
      .sort((a, b) => b.end - a.end);
    const chosen = pool.slice(0, 14);
    let at = t;
    const purged = new Set(chosen.slice(0, 6));
    for (const p of chosen) {
      p.recording!.deleted = { at, by: admin, permanent: purged.has(p), why: 'attack', viaAdminConsole: true };
      at += rng.int(15, 45) * 1000;
    }
    extras.activities.push({ email: admin.email, time: iso(at + 3 * MIN), type: 'Sign out', ip_address: ip, client_type: 'Browser', version: '' });
    attacks.push({
      id: 'A5-bulk-recording-deletion',
      threat: 'recordings bulk-deleted by a compromised admin',
      summary: `admin account ${admin.email} signs in from Bucharest (${ip}) at ${iso(t - 8 * MIN)} and deletes ${chosen.length} recordings of other hosts in ${Math.round((at - t) / 60000)} minutes (${purged.size} purged from the trash)`,
      at: iso(t),
      actors: { emails: [], names: [], ips: [ip], devices: [], operators: [] },
      borrowed: { emails: [admin.email], names: [admin.name], operators: [admin.email] },
      meetings: chosen.map(meetingRef),
      window: [iso(t - 15 * MIN), iso(at + 4 * HOUR)],
    });
  }

  // A6. Another admin account, phished, weakens account security in the evening: two-factor sign-in off, waiting
  // room off for the whole account.
  {
    const admin2 = key.itadmin2!;
    const day = localOf(cal.endMs, PLACES.NYC).minutes > 22 * 60 ? endLocalDay : endLocalDay - DAY;
    const t = atLocal(day, 21 * 60 + 40, PLACES.NYC);
    const ip = '192.0.2.183';
    extras.activities.push({ email: admin2.email, time: iso(t - 9 * MIN), type: 'Sign in', ip_address: ip, client_type: 'Browser', version: '' });
    extras.opLogs.push({
      time: iso(t),
      operator: admin2.email,
      category_type: 'Account',
      action: 'Update',
      operation_detail: 'Security  - Sign in with Two-Factor Authentication: from On to Off',
    });
    extras.opLogs.push({
      time: iso(t + 70_000),
      operator: admin2.email,
      category_type: 'Account',
      action: 'Update',
      operation_detail: 'Meeting Security  - Waiting Room: from On to Off',
    });
    extras.hooks.push({
      time: t,
      event: 'account.settings_updated',
      payload: {
        account_id: ACCOUNT_ID,
        operator: admin2.email,
        operator_id: admin2.id,
        time_stamp: t,
        object: { id: ACCOUNT_ID, settings: { security: { sign_in_with_two_factor_auth: 'none' } } },
        old_object: { id: ACCOUNT_ID, settings: { security: { sign_in_with_two_factor_auth: 'all' } } },
      },
    });
    extras.hooks.push({
      time: t + 70_000,
      event: 'account.settings_updated',
      payload: {
        account_id: ACCOUNT_ID,
        operator: admin2.email,
        operator_id: admin2.id,
        time_stamp: t + 70_000,
        object: { id: ACCOUNT_ID, settings: { meeting_security: { waiting_room: false } } },
        old_object: { id: ACCOUNT_ID, settings: { meeting_security: { waiting_room: true } } },
      },
    });
    attacks.push({
      id: 'A6-security-setting-weakened',
      threat: 'an account security setting weakened by an admin account',
      summary: `admin account ${admin2.email} signs in from Hanoi (${ip}) at 21:31 New York time and turns two-factor sign-in off and the account's waiting room off`,
      at: iso(t),
      actors: { emails: [], names: [], ips: [ip], devices: [], operators: [] },
      borrowed: { emails: [admin2.email], names: [admin2.name], operators: [admin2.email] },
      meetings: [],
      window: [iso(t - 15 * MIN), iso(t + 2 * HOUR)],
    });
  }

  // A7. The chief of staff's account, used from an unknown Windows PC and IP, sits in on the CEO's meetings.
  {
    const cos = key.cos!;
    const ceo = key.ceo!;
    const ip = '192.0.2.188';
    const device: Device = {
      kind: 'laptop',
      family: 'Windows',
      client: 'Windows',
      os: 'Windows',
      osVersion: '10.0.19045',
      version: '6.6.10.24331',
      pcName: 'DESKTOP-8HQ3K2P',
      deviceName: 'DESKTOP-8HQ3K2P',
      macAddr: macAddr('attack', cal.seed),
      harddiskId: `S${hex(13, 'attackdisk', cal.seed).toUpperCase()}`,
      domain: 'WORKGROUP',
      camera: '',
      microphone: 'Microphone (Realtek High Definition Audio)',
      speaker: 'Speakers (Realtek High Definition Audio)',
      from: 0,
      until: Number.MAX_SAFE_INTEGER,
    };
    const targets = cal.plans
      .filter(
        (p) =>
          p.host === ceo &&
          p.end < cal.endMs - 10 * MIN &&
          p.start > cal.endMs - 5 * DAY &&
          p.attendees.length >= 1 &&
          p.category !== 'all-hands' &&
          p.key !== 'attack:deepfake',
      )
      .sort((a, b) => b.start - a.start)
      .slice(0, 3);
    for (const p of targets) {
      p.attendees.push({
        who: { p: cos },
        joinOffset: rng.int(3, 8),
        leaveEarly: rng.int(0, 5),
        device,
        net: { ip, place: PLACES.SAO, network: 'Wired' },
      });
      // The cloned attendance must not be merged with a legitimate one: mark it.
      p.tags.push('attack:cos-device');
    }
    const first = targets[targets.length - 1];
    if (first)
      extras.activities.push({
        email: cos.email,
        time: iso(first.start - 20 * MIN),
        type: 'Sign in',
        ip_address: ip,
        client_type: 'Windows',
        version: '6.6.10.24331',
      });
    attacks.push({
      id: 'A7-unknown-device-in-ceo-meetings',
      threat: "an unknown device/IP joining the CEO's meetings",
      summary: `the chief of staff's account (${cos.email}) joins ${targets.length} of the CEO's meetings (${targets.map((t) => t.topic).join('; ')}) from an unknown Windows PC DESKTOP-8HQ3K2P in Sao Paulo (${ip})`,
      at: iso(first?.start ?? cal.endMs),
      actors: { emails: [], names: [], ips: [ip], devices: ['DESKTOP-8HQ3K2P'], operators: [] },
      borrowed: { emails: [cos.email], names: [cos.name], operators: [] },
      meetings: targets.map(meetingRef),
      window: [iso((first?.start ?? cal.endMs) - HOUR), iso(cal.endMs)],
    });
  }

  // A8. A sales development rep who was in none of them downloads the recordings of sensitive meetings late in the
  // evening (they have a job offer from a competitor).
  {
    const sdr = key.sdr2!;
    let t = cal.endMs - 9 * HOUR;
    const local = localOf(t, sdr.place);
    t = atLocal(local.day, 23 * 60 + 5, sdr.place);
    if (t > cal.endMs - HOUR) t -= DAY;
    const sensitive = cal.plans
      .filter(
        (p) =>
          p.recording &&
          !p.recording.deleted &&
          p.end + HOUR < t &&
          !p.attendees.some((a) => 'p' in a.who && a.who.p === sdr) &&
          p.host !== sdr &&
          /Heron|roadmap|close review|Exec staff|Deal desk|Weekly forecast call/i.test(p.topic),
      )
      .sort((a, b) => b.end - a.end)
      .slice(0, 4);
    let at = t;
    for (const p of sensitive) {
      p.recording!.downloads.push({ at, by: sdr, why: 'attack' });
      at += rng.int(40, 150) * 1000;
    }
    attacks.push({
      id: 'A8-recording-download-by-non-participant',
      threat: 'a recording downloaded by someone who was not in the meeting',
      summary: `SDR ${sdr.name} downloads ${sensitive.length} recordings of meetings they were not in (${sensitive.map((p) => p.topic).join('; ')}) around 23:05 local`,
      at: iso(t),
      actors: { emails: [], names: [], ips: [], devices: [], operators: [] },
      borrowed: { emails: [sdr.email], names: [sdr.name], operators: [sdr.email] },
      meetings: sensitive.map(meetingRef),
      window: [iso(t - 10 * MIN), iso(at + HOUR)],
    });
  }
  void dayStart;
  void NET;
  return attacks;
}

export type { Person };
