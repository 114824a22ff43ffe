import { PLACES, type Device, type Person, type Place } from './model.ts';
import { NET } from './people.ts';
import { dayStr, h01, hInt, hPick, localOf } from './util.ts';

/** Where a session comes from: the public IP Zoom sees, the private one, the place and the network type. */
export interface Net {
  readonly ip: string;
  readonly internal: string;
  readonly place: Place;
  readonly network: 'Wired' | 'Wifi' | 'Cellular' | 'PPP' | 'Others';
  readonly why: 'office' | 'home' | 'vpn' | 'cellular' | 'travel';
}

const v6Host = (prefix: string, ...parts: (string | number)[]) =>
  `${prefix}:${hInt(0, 0xffff, 'v6a', ...parts).toString(16)}:${hInt(0, 0xffff, 'v6b', ...parts).toString(16)}:${hInt(0, 0xffff, 'v6c', ...parts).toString(16)}:${hInt(1, 0xffff, 'v6d', ...parts).toString(16)}`;

/** Whether `p` works from the office on the local date `day`, and when they arrive and leave (local minutes). */
export function officeDay(p: Person, day: number, weekday: number): { arrive: number; leave: number } | undefined {
  if (p.office === 'remote' || !p.officeDays.includes(weekday) || h01('wfh', p.email, dayStr(day)) < 0.15) return undefined;
  if (p.trips.some((t) => t.from <= day + 12 * 3_600_000 && day + 12 * 3_600_000 < t.until)) return undefined;
  return { arrive: 8 * 60 + hInt(0, 90, 'arrive', p.email, dayStr(day)), leave: 17 * 60 + hInt(0, 90, 'leave', p.email, dayStr(day)) };
}

/**
 * The network `p` is on at `ms` using `device`. Office days: home until they set off (40 minutes before arriving), the
 * office network from arrival to departure; the phone is on the carrier while commuting and now and then elsewhere.
 * Finance and legal laptops run an always-on corporate VPN (egress Ashburn or Frankfurt) even in the office; some
 * engineers and IT staff use it on some days at home. Travellers use the hotel network. Home is a stable IPv4 address
 * or an IPv6 /64 whose host part changes every day (privacy extensions).
 */
export function netFor(p: Person, ms: number, device: Device): Net {
  const local = localOf(ms, p.place);
  const day = dayStr(local.day);
  const trip = p.trips.find((t) => t.from <= ms && ms < t.until);
  const office = trip ? undefined : officeDay(p, local.day, local.weekday);
  const atOffice = office !== undefined && local.minutes >= office.arrive && local.minutes <= office.leave;
  const commuting =
    office !== undefined &&
    ((local.minutes >= office.arrive - 40 && local.minutes < office.arrive) || (local.minutes > office.leave && local.minutes <= office.leave + 40));
  const mobile = device.kind === 'phone' || device.kind === 'tablet';
  if (mobile && (commuting || (!atOffice && h01('carrier', p.email, ms) < (trip ? 0.3 : 0.45)))) {
    const place = trip?.place ?? p.place;
    return {
      ip: v6Host(`2001:db8:ce11:${hInt(1, 0xfff, 'cell', p.email, day).toString(16)}`, p.email, ms),
      internal: '',
      place,
      network: 'Cellular',
      why: 'cellular',
    };
  }
  if (trip)
    return {
      ip: trip.ip,
      internal: `172.16.${hInt(0, 15, 'hotel', p.email)}.${hInt(2, 254, 'hotel', p.email, day)}`,
      place: trip.place,
      network: 'Wifi',
      why: 'travel',
    };
  const vpnToday = !mobile && (p.vpn === 'always' || (p.vpn === 'sometimes' && !atOffice && h01('vpnday', p.email, day) < 0.4));
  if (vpnToday) {
    const eu = p.place.tz >= 0 && p.place.tz <= 2;
    const pool = eu ? NET.vpnEU : NET.vpnUS;
    // The VPN client picks the least loaded gateway; some days it moves at lunchtime.
    const half = local.minutes < 13 * 60 ? 'am' : 'pm';
    const ip = hPick(pool, p.email, day, h01('vpnflip', p.email, day) < 0.15 ? half : 'day');
    return {
      ip,
      internal: `10.200.${hInt(0, 63, 'vpnip', p.email, day)}.${hInt(2, 254, 'vpnip2', p.email, day)}`,
      place: eu ? PLACES.FRA : PLACES.ASH,
      network: 'Wifi',
      why: 'vpn',
    };
  }
  if (atOffice) {
    const pool = p.office === 'NYC' ? NET.officeNYC : p.office === 'LON' ? NET.officeLON : NET.officeMNL;
    const subnet = p.office === 'NYC' ? '10.10' : p.office === 'LON' ? '10.20' : '10.30';
    return {
      ip: hPick(pool, p.email, day),
      internal: `${subnet}.${hInt(1, 40, 'vlan', p.email)}.${hInt(2, 254, 'dhcp', p.email, day)}`,
      place: p.place,
      network: device.kind === 'laptop' ? (h01('wired', p.email) < 0.3 ? 'Wired' : 'Wifi') : 'Wifi',
      why: 'office',
    };
  }
  const ip = p.home.v4 ?? v6Host(p.home.v6prefix!, p.email, day, device.kind);
  return {
    ip,
    internal: `192.168.${hInt(0, 1, 'lan', p.email)}.${hInt(2, 254, 'lanip', p.email, day, device.kind)}`,
    place: p.home.place,
    network: 'Wifi',
    why: 'home',
  };
}
