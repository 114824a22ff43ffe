import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { isCredentialField, isCredentialName, MASK, maskJsonText, maskJsonTextByWalk, maskUrlParams, maskValue } from '#core/mask/credentials.ts';
import { Prng } from '#core/prng.ts';

const M = MASK;

describe('isCredentialName', () => {
  it.each([
    'download_token',
    'password',
    'encrypted_password',
    'h323_password',
    'pstn_password',
    'pwd',
    'tk',
    'zak',
    'access_token',
    'download_access_token',
    'recording_play_passcode',
    'passcode',
    'meeting_passcode',
    'stream_key',
    'streamKey',
    'host_key',
    'participant_pin_code',
    'leader_pin',
    'client_secret',
    'plainToken',
    'X-Amz-Signature',
    'PWD',
  ])('%s is a credential', (name) => {
    expect(isCredentialName(name)).toBe(true);
  });

  it.each([
    'session_key',
    'user_key',
    'customer_key',
    'id',
    'topic',
    'join_url',
    'password_requirement',
    'embed_password_in_join_link',
    'tkt',
    'zakat',
  ])('%s is not', (name) => {
    expect(isCredentialName(name)).toBe(false);
  });
});

describe('isCredentialField: names that are credentials only inside one object', () => {
  it.each<[string, string | undefined, boolean]>([
    ['download_url', 'chat_message_file', true],
    ['join_url', 'registrant', true],
    ['join_url', 'registrants', true],
    ['password', undefined, true],
    ['download_url', 'recording_files', false],
    ['download_url', undefined, false],
    ['join_url', 'object', false],
    ['file_name', 'chat_message_file', false],
  ])('%s inside %s: %s', (name, parent, credential) => {
    expect(isCredentialField(name, parent)).toBe(credential);
  });
});

describe('maskUrlParams', () => {
  it.each([
    ['a join link passcode', 'https://zoom.us/j/98884753832?pwd=c21EQzg0SXY2dlNTOFF2TENpSm1aQT09', `https://zoom.us/j/98884753832?pwd=${M}`],
    ['a registrant token, other parameters kept', 'https://zoom.us/w/9?tk=AbC.dEf&uuid=WN_x', `https://zoom.us/w/9?tk=${M}&uuid=WN_x`],
    ['a host start token', 'https://zoom.us/s/9?zak=eyJ0eXAi.x.y', `https://zoom.us/s/9?zak=${M}`],
    [
      'a download access token after another parameter',
      'https://zoom.us/rec/download/abc?type=mp4&access_token=eyJ.a.b#t=1',
      `https://zoom.us/rec/download/abc?type=mp4&access_token=${M}#t=1`,
    ],
    ['a passcode in a fragment', 'https://app.zoom.us/wc/join/9#pwd=xyz', `https://app.zoom.us/wc/join/9#pwd=${M}`],
    ['upper-case names', 'https://zoom.us/j/9?PWD=abc', `https://zoom.us/j/9?PWD=${M}`],
    ['an HTML-escaped separator', 'https://zoom.us/j/9?x=1&amp;pwd=abc', `https://zoom.us/j/9?x=1&amp;pwd=${M}`],
    [
      'a URL percent-encoded inside another',
      'https://r.example/?to=https%3A%2F%2Fzoom.us%2Fj%2F9%3Fpwd%3Dsecret%26x%3D1',
      `https://r.example/?to=https%3A%2F%2Fzoom.us%2Fj%2F9%3Fpwd%3D${M}%26x%3D1`,
    ],
    [
      'two links in free text',
      'join https://zoom.us/j/1?pwd=aa or https://zoom.us/j/2?pwd=bb now',
      `join https://zoom.us/j/1?pwd=${M} or https://zoom.us/j/2?pwd=${M} now`,
    ],
    ['a presigned signature', 'https://f.example/a.mp4?Expires=1&X-Amz-Signature=abcd', `https://f.example/a.mp4?Expires=1&X-Amz-Signature=${M}`],
  ])('masks %s', (_name, input, expected) => {
    expect(maskUrlParams(input)).toBe(expected);
  });

  it.each([
    ['a URL without credentials', 'https://zoom.us/rec/share/abc?startTime=1700000000000'],
    ['an empty passcode', 'https://zoom.us/j/9?pwd='],
    ['plain text', 'pwd is not a parameter here'],
  ])('keeps %s', (_name, input) => {
    expect(maskUrlParams(input)).toBe(input);
  });
});

describe('maskJsonText', () => {
  it.each<[string, unknown, unknown]>([
    [
      'credential fields at any depth',
      {
        download_token: 'eyJ.x',
        payload: { object: { password: 'Pa55', settings: { h323_password: '1', pstn_password: '2', encrypted_password: 'e' } } },
      },
      { download_token: M, payload: { object: { password: M, settings: { h323_password: M, pstn_password: M, encrypted_password: M } } } },
    ],
    [
      'URL parameters in any string',
      { object: { join_url: 'https://zoom.us/j/1?pwd=abc', start_url: 'https://zoom.us/s/1?zak=t', list: ['https://zoom.us/j/2?tk=z'] } },
      { object: { join_url: `https://zoom.us/j/1?pwd=${M}`, start_url: `https://zoom.us/s/1?zak=${M}`, list: [`https://zoom.us/j/2?tk=${M}`] } },
    ],
    ['a numeric PIN or passcode', { participant_pin_code: 380303, password: 123456 }, { participant_pin_code: M, password: M }],
    [
      'every value of an array under a credential name',
      { passcode: ['a', 'b', 7], download_token: null },
      { passcode: [M, M, M], download_token: null },
    ],
    ['JSON text inside a string', { note: JSON.stringify({ password: 'inner', ok: 1 }) }, { note: JSON.stringify({ password: M, ok: 1 }) }],
    [
      'credential-looking objects by their own keys',
      { meeting_password: { password: 'x', length: 6 } },
      { meeting_password: { password: M, length: 6 } },
    ],
    [
      "a chat file's download link, whole; a recording file's keeps all but its token",
      {
        object: {
          chat_message_file: { file_name: 'plan.pdf', download_url: 'https://file.zoom.us/file/hsdAXySKRe2KgS-0YNeSXg' },
          recording_files: [{ download_url: 'https://zoom.us/rec/download/abc?access_token=eyJ.x' }],
        },
      },
      {
        object: {
          chat_message_file: { file_name: 'plan.pdf', download_url: M },
          recording_files: [{ download_url: `https://zoom.us/rec/download/abc?access_token=${M}` }],
        },
      },
    ],
    [
      "a registrant's join link, whole (in an event and in a list), not the meeting's",
      {
        object: {
          join_url: 'https://zoom.us/j/9?pwd=abc',
          registrant: { email: 'a@x.test', join_url: 'https://zoom.us/w/9?tk=abc&uuid=WN_x', participant_pin_code: 380303 },
        },
        registrants: [{ email: 'b@x.test', join_url: 'https://zoom.us/w/9/abcdef' }],
      },
      {
        object: { join_url: `https://zoom.us/j/9?pwd=${M}`, registrant: { email: 'a@x.test', join_url: M, participant_pin_code: M } },
        registrants: [{ email: 'b@x.test', join_url: M }],
      },
    ],
    [
      "a recording's play passcode and an exposed meeting link's passcode (risk alert)",
      {
        object: {
          recording_play_passcode: 'yNYIS408EJygs7rE5vVsJwXIz4-VW7MH',
          armn_details: { meeting_url: 'https://zoom.us/j/82390661051?pwd=Xy12' },
        },
      },
      { object: { recording_play_passcode: M, armn_details: { meeting_url: `https://zoom.us/j/82390661051?pwd=${M}` } } },
    ],
    [
      'nothing that says "none" or "off"',
      { meeting_password: true, password: '', pwd: null, embed_password_in_join_link: false, session_key: 'ABC36' },
      { meeting_password: true, password: '', pwd: null, embed_password_in_join_link: false, session_key: 'ABC36' },
    ],
  ])('masks %s and keeps the JSON valid', (_name, input, expected) => {
    expect(JSON.parse(maskJsonText(JSON.stringify(input)))).toEqual(expected);
  });

  it('changes only the masked values: formatting, escapes and numbers beyond a double are kept byte for byte', () => {
    const raw =
      '{\n  "event" : "meeting.created",\t"payload": {"object": {"id": 98884753832123456789, "topic": "Caf\\u00e9 \\"Q3\\"",\n' +
      '    "password" : "PaSsWoRd", "join_url":"https://zoom.us/j/9?pwd=c21E", "n": -1.5e3 } } }\n';
    expect(maskJsonText(raw)).toBe(raw.replace('"PaSsWoRd"', `"${M}"`).replace('pwd=c21E', `pwd=${M}`));
  });

  it('returns a body without credentials unchanged', () => {
    const raw = '{"event":"meeting.started","payload":{"object":{"id":1,"uuid":"a\\/b==","topic":"\\u002B1 sync"}}}';
    expect(maskJsonText(raw)).toBe(raw);
  });

  it('is idempotent', () => {
    const once = maskJsonText(JSON.stringify({ password: 'x', join_url: 'https://zoom.us/j/1?pwd=y' }));
    expect(maskJsonText(once)).toBe(once);
  });

  it.each([
    ['broken JSON', '{"password": "x", https://zoom.us/j/1?pwd=y', `{"password": "x", https://zoom.us/j/1?pwd=${M}`],
    [
      'a plain log line',
      'serve: listening on http://127.0.0.1:8080/zoom/webhook?tk=abc',
      `serve: listening on http://127.0.0.1:8080/zoom/webhook?tk=${M}`,
    ],
    [
      'words that look like literals',
      'failed fetching https://zoom.us/rec/download/x?access_token=eyJ',
      `failed fetching https://zoom.us/rec/download/x?access_token=${M}`,
    ],
  ])('masks URL parameters in text that is not JSON: %s', (_name, input, expected) => {
    expect(maskJsonText(input)).toBe(expected);
  });

  it('walks a body nested 100,000 levels deep without overflowing the stack', () => {
    const deep = '['.repeat(100_000) + '{"password":"deep"}' + ']'.repeat(100_000);
    expect(maskJsonText(deep)).toBe('['.repeat(100_000) + `{"password":"${M}"}` + ']'.repeat(100_000));
  });
});

describe('maskJsonText on the corpus bodies that carry these links', () => {
  const corpus = (name: string) => readFileSync(`../shared/corpus/webhooks/zoomnet/${name}`, 'utf8');
  const available = existsSync('../shared/corpus/webhooks/zoomnet');
  it.skipIf(!available).each([
    ['meeting.chat_message_file_sent__1.json', 'https://file.zoomdev.us/file/hsdAXySKRe2KgS-0YNeSXg'],
    ['webinar.chat_message_file_sent__1.json', 'https://file.zoomdev.us/file/hsdAXySKRe2KgS-0YNeSXg'],
    ['meeting.registration_created__1.json', 'https://example.com/join'],
    ['meeting.registration_approved__1.json', 'https://example.com'],
  ])('%s keeps no link to the file or to join as the registrant', (file, link) => {
    const raw = corpus(file);
    expect(raw).toContain(`"${link}"`);
    const stored = maskJsonText(raw);
    expect(stored).not.toContain(link);
    expect(JSON.parse(stored)).toBeTruthy();
  });
});

describe('maskJsonText shortcut', () => {
  // Names near the credential list: cases, separators, the Kelvin sign (lower-cases to "k"), look-alikes and plain names.
  const NAMES = [
    'password',
    'PassWord',
    'pass_word',
    'p-w-d',
    'pwd_',
    '_tk',
    't-k',
    'TK',
    'zak',
    'z_a_k',
    'zakat',
    'tkt',
    'token',
    'plainToken',
    'download_tok',
    'stream_\u212Aey',
    'host\u212Aey',
    'leader-pin',
    'pin_code',
    'secret',
    'signature',
    'passcode',
    'id',
    'uuid',
    'topic',
    'user_name',
    'email',
    'join_url',
    'k',
    'd',
    '',
    'Zoë',
    'İd',
    'password_requirement',
    'download_url',
    'join_url',
    'chat_message_file',
    'registrants',
    'registrant',
  ].map((n) => JSON.parse(`"${n}"`) as string);
  const VALUES = [
    '"x"',
    '""',
    '123',
    '-1.5e3',
    'true',
    'null',
    '[1,"a"]',
    '{}',
    '"https://zoom.us/j/1?pwd=abc"',
    '"https://zoom.us/j/1?uuid=abc=="',
    '"a%3Fpwd%3Dz"',
    '"uuid-1=="',
    '"{\\"pwd\\":\\"x\\"}"',
    '"[1,2]"',
    '"{pwd}"',
    '"password"',
    '"İ"',
    '"\\u0070wd"',
  ];
  const text = (rng: Prng, depth: number): string => {
    const members = Array.from({ length: rng.int(0, 4) }, () => {
      const value = depth > 0 && rng.chance(0.3) ? text(rng, depth - 1) : rng.pick(VALUES);
      return `${JSON.stringify(rng.pick(NAMES))}:${value}`;
    });
    return `{${members.join(',')}}`;
  };
  // Damage that JSON.parse refuses and the walk may still read: a lost colon, a stray quote, a cut, a bare key.
  const damage = (rng: Prng, t: string): string => {
    const at = rng.int(0, t.length);
    return rng.pick([t.replace(':', ' '), `${t.slice(0, at)}"${t.slice(at)}`, t.slice(0, at), t.replace('{', '{"pwd" ')]);
  };

  it('gives what walking the text gives, for JSON and for text JSON.parse refuses', () => {
    const rng = new Prng(17, 'mask-shortcut');
    let changed = 0;
    for (let i = 0; i < 20_000; i++) {
      const valid = text(rng, 2);
      for (const t of [valid, damage(rng, valid)]) {
        const walked = maskJsonTextByWalk(t);
        expect(maskJsonText(t)).toBe(walked);
        if (walked !== t) changed++;
      }
    }
    // Both outcomes are well represented, so the comparison covers masking and leaving alone.
    expect(changed).toBeGreaterThan(5_000);
    expect(changed).toBeLessThan(35_000);
  });

  it.each([
    ['a credential name only as a value', '{"note":"password","id":1}'],
    ['base64 ids ending in =', '{"uuid":"4444AAAiAAAAAiAiAiiAii==","id":"x=="}'],
    ['a URL parameter that is no credential', '{"url":"https://zoom.us/rec/share/abc?startTime=1700000000000"}'],
  ])('leaves %s alone', (_name, raw) => {
    expect(maskJsonText(raw)).toBe(raw);
  });
});

describe('maskValue', () => {
  it('masks an evidence row by the same rules, keeping other values and types', () => {
    const row = {
      user_email: 'a@x.com',
      join_url: 'https://zoom.us/j/1?pwd=abc',
      password: 'p',
      count: 3n,
      has_passcode: true,
      raw: '{"download_token":"t"}',
      at: new Date(0),
      chat_message_file: { download_url: 'https://file.zoom.us/file/x' },
      registrants: [{ join_url: 'https://zoom.us/w/1?tk=t' }],
      recording_files: [{ download_url: 'https://zoom.us/rec/download/1' }],
    };
    expect(maskValue(row)).toEqual({
      user_email: 'a@x.com',
      join_url: `https://zoom.us/j/1?pwd=${M}`,
      password: M,
      count: 3n,
      has_passcode: true,
      raw: `{"download_token":"${M}"}`,
      at: new Date(0),
      chat_message_file: { download_url: M },
      registrants: [{ join_url: M }],
      recording_files: [{ download_url: 'https://zoom.us/rec/download/1' }],
    });
  });
});
