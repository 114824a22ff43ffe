import { describe, expect, it } from 'vitest';
import { compileSupportNames, DEFAULT_SUPPORT_NAMES, lookalikeKeys, lookalikesOf, supportNamesClaimed } from '#core/realtime/impersonation.ts';

const SUPPORT = compileSupportNames(DEFAULT_SUPPORT_NAMES);
const INTERNAL = ['acme.example', 'acme-labs.example', 'globalpay.example', 'example.co.uk'];
const KEYS = lookalikeKeys(INTERNAL);
const RULES = { fuzzyMinLetters: 6, maxEdits: 1 };
const looks = (domain: string, rules = RULES) => lookalikesOf(domain, KEYS, new Set(INTERNAL), rules);

describe('support names a display name claims', () => {
  it.each([
    ['Zoom', ['Zoom']],
    ['Z00m  Support (guest)', ['Zoom Support']],
    ['Zооm', ['Zoom']],
    ['IТ Ѕupport', ['IT Support']],
    ['lT Support', ['IT Support']],
    ['1T Helpdesk', ['IT Helpdesk']],
    ['HeIp Desk', ['Help Desk']],
    ['Zoorn Security', ['Zoom Security']],
    ['Mark - IT Service Desk', ['IT Service Desk', 'Service Desk']],
    ['External - Zoom', ['Zoom']],
    ['Ｚｏｏｍ Ｈｅｌｐ', ['Zoom Help']],
  ])('%s claims %j', (name, claimed) => {
    expect(supportNamesClaimed(name, SUPPORT)).toEqual(claimed);
  });

  it.each([
    'Zoom Room 4B',
    'Zoom Rooms - Boardroom',
    'Zoe Oom',
    'Zoomer',
    'Zoom Fan Club',
    'Itzel Support',
    'Northwind Support',
    'Dana Lee | Customer Success, Northwind',
    '+1 408 555 0100',
    'Helpdesky',
    '',
  ])('%s claims nothing', (name) => {
    expect(supportNamesClaimed(name, SUPPORT)).toEqual([]);
  });

  it('refuses a configured name without letters', () => {
    expect(() => compileSupportNames(['(guest)'])).toThrow('has no letters');
  });
});

describe('look-alikes of internal domains', () => {
  it.each([
    ['acrne.example', 'acme.example', 'same_name'],
    ['аcme.example', 'acme.example', 'same_name'],
    ['acme.co', 'acme.example', 'same_name'],
    ['ac-me.com', 'acme.example', 'same_name'],
    ['acme-example.com', 'acme.example', 'domain_in_name'],
    ['acme.example.com', 'acme.example', 'domain_in_name'],
    ['acme-sso.com', 'acme.example', 'name_with_lure'],
    ['okta-acme.com', 'acme.example', 'name_with_lure'],
    ['sso.acme-login.com', 'acme.example', 'name_with_lure'],
    ['gloablpay.example', 'globalpay.example', 'swapped_letters'],
    ['globalpey.example', 'globalpay.example', 'edited_name'],
    ['examp1e.com', 'example.co.uk', 'same_name'],
  ])('%s looks like %s (%s)', (domain, internal, kind) => {
    expect(looks(domain)).toContainEqual({ domain: internal, kind });
  });

  it.each([
    'acme.example',
    'ACME.example',
    'mail.acme.example',
    'acme-labs.example',
    'acne.example',
    'abcd.example',
    'acme-consulting.net',
    'globalpath.example',
    'gmail.com',
    '',
  ])('%s looks like no internal domain', (domain) => {
    expect(looks(domain)).toEqual([]);
  });

  it('matches near names only from fuzzy_min_letters and within max_edits', () => {
    expect(looks('globalpey.example', { fuzzyMinLetters: 10, maxEdits: 1 })).toEqual([]);
    expect(looks('globalpey.example', { fuzzyMinLetters: 6, maxEdits: 0 })).toEqual([]);
    expect(looks('glbalpey.example', { fuzzyMinLetters: 6, maxEdits: 2 })).toEqual([{ domain: 'globalpay.example', kind: 'edited_name' }]);
    expect(looks('gloablpay.example', { fuzzyMinLetters: 10, maxEdits: 1 })).toEqual([]);
  });
});
