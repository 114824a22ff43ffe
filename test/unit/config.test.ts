import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '#config/load.ts';

describe('config', () => {
  it('fills sensible defaults for an empty file', () => {
    const cfg = parseConfig({});
    expect(cfg.internalDomains).toEqual([]);
    expect(cfg.minClientVersion).toBe('6.0.0');
    expect(cfg.webhook.replayWindowSeconds).toBe(5_400);
    expect(cfg.sources.chat_messages).toEqual({ enabled: false, schedule: 'rate(1 day)', includeContent: false });
    expect(cfg.sources.meeting_activities).toEqual({ enabled: true, schedule: 'rate(1 hour)', activityTypes: ['Remote Control'] });
    expect(cfg.allowDataDeletion).toBe(false);
    expect(cfg.alarms).toEqual({ emails: [] });
  });

  it('keeps the four fixed keys with their shapes', () => {
    const cfg = parseConfig({
      internalDomains: ['Example.COM'],
      sensitiveMeetingPatterns: ['^board'],
      watchedUsers: ['CEO@Example.com'],
      minClientVersion: '5.17.11',
    });
    expect(cfg).toMatchObject({
      internalDomains: ['example.com'],
      sensitiveMeetingPatterns: ['^board'],
      watchedUsers: ['ceo@example.com'],
      minClientVersion: '5.17.11',
    });
  });

  it('reads trustedExternals as lower-case emails and domains, none by default', () => {
    expect(parseConfig({}).trustedExternals).toEqual([]);
    expect(parseConfig({ trustedExternals: ['LawFirm.example', 'Director@Gmail.com'] }).trustedExternals).toEqual([
      'lawfirm.example',
      'director@gmail.com',
    ]);
  });

  it('defaults the post-meeting correlation on, with no data-access source', () => {
    expect(parseConfig({}).correlation).toEqual({
      enabled: true,
      meetings: 'needed',
      waitSeconds: 600,
      notReadyRetries: 6,
      notReadyIntervalSeconds: 120,
    });
    const dataAccess = {
      table: 'cloudtrail_s3',
      userColumn: 'useridentity_arn',
      timeColumn: 'eventtime',
      resourceColumn: 'resource_arn',
      s3Location: 's3://org-trail/AWSLogs/',
    };
    expect(parseConfig({ correlation: { dataAccess } }).correlation.dataAccess).toEqual(dataAccess);
  });

  it('defaults the webhook edge to a 10,000-user account: stage 300/s bursting to 600, 6,000 a minute per IP, no allow-list', () => {
    expect(parseConfig({}).webhook).toMatchObject({
      throttlingRateLimit: 300,
      throttlingBurstLimit: 600,
      perIpRequestsPerMinute: 6_000,
      allowedSourceCidrs: [],
    });
  });

  it('keeps IPv4 and IPv6 source ranges as written', () => {
    const allowedSourceCidrs = ['3.7.35.0/25', '2407:30c0:180::/48'];
    expect(parseConfig({ webhook: { allowedSourceCidrs } }).webhook.allowedSourceCidrs).toEqual(allowedSourceCidrs);
  });

  it('reads the example file', () => {
    expect(loadConfig('zoomlake.config.example.json').internalDomains).toContain('example.com');
  });

  it.each([
    [{ internalDomains: 'example.com' }, 'internalDomains: '],
    [{ internalDomains: ['not a domain'] }, 'internalDomains.0: must be a domain name'],
    [{ sensitiveMeetingPatterns: ['(unclosed'] }, 'sensitiveMeetingPatterns.0: "(unclosed" is not a valid regular expression (Unterminated group)'],
    [{ sensitiveMeetingPatterns: ['board', '(?<!on)board'] }, 'sensitiveMeetingPatterns.1: "(?<!on)board" uses a lookbehind "(?<!on)"'],
    [{ watchedUsers: ['ceo'] }, 'watchedUsers.0: must be an email address'],
    [{ trustedExternals: ['Hollis & Crane'] }, 'trustedExternals.0: must be an email address or a domain name'],
    [{ minClientVersion: '6' }, 'minClientVersion: must be a version'],
    [{ planTier: 'gold' }, 'planTier: '],
    [{ sources: { activities: { schedule: 'hourly' } } }, 'sources.activities.schedule: must be "rate(N unit)" or "cron(...)"'],
    [{ sources: { activitys: {} } }, 'sources.activitys: unknown field'],
    [{ compaction: { schedule: 'daily' } }, 'compaction.schedule: must be "rate(N unit)" or "cron(...)"'],
    [{ compaction: { lookbackDays: 31 } }, 'compaction.lookbackDays: '],
    [{ compaction: { maxRows: 5 } }, 'compaction.maxRows: unknown field'],
    [{ sources: { meeting_activities: { activityTypes: ['Screen Share'] } } }, 'sources.meeting_activities.activityTypes.0: '],
    [{ sources: { meeting_activities: { activityTypes: [] } } }, 'sources.meeting_activities.activityTypes: must name at least one activity type'],
    [
      { sources: { meeting_activities: { activityTypes: ['Remote Control', 'Remote Control'] } } },
      'sources.meeting_activities.activityTypes: names an activity type twice',
    ],
    [
      { sources: { meeting_activities: { activityTypes: ['All Activities', 'Remote Control'] } } },
      'sources.meeting_activities.activityTypes: "All Activities" already includes every other type; list it alone',
    ],
    [
      { retention: { infrequentAccessAfterDays: 60, glacierAfterDays: 89 } },
      'retention.glacierAfterDays: must be at least 30 days after infrequentAccessAfterDays',
    ],
    [{ athena: { bytesScannedCutoffPerQuery: 1000 } }, 'athena.bytesScannedCutoffPerQuery: '],
    [{ alerts: { routes: [{ name: 'a', target: { type: 'sms' } }] } }, 'alerts.routes.0.target.type: '],
    [
      {
        alerts: {
          routes: [
            { name: 'a', target: { type: 'sqs' } },
            { name: 'a', target: { type: 'sqs' } },
          ],
        },
      },
      'alerts.routes.1.name: duplicate route name "a"',
    ],
    [{ correlation: { waitSeconds: -1 } }, 'correlation.waitSeconds: '],
    [{ alarms: { emails: ['oncall'] } }, 'alarms.emails.0: must be an email address'],
    [{ webhook: { throttlingRateLimit: 700 } }, 'webhook.throttlingBurstLimit: must be at least webhook.throttlingRateLimit'],
    [{ webhook: { throttlingRateLimit: 20_000, throttlingBurstLimit: 20_000 } }, 'webhook.throttlingRateLimit: '],
    [{ webhook: { perIpRequestsPerMinute: 5 } }, 'webhook.perIpRequestsPerMinute: '],
    [{ webhook: { allowedSourceCidrs: ['3.7.35.1'] } }, 'webhook.allowedSourceCidrs.0: must be an IPv4 or IPv6 range in CIDR notation'],
    [{ webhook: { allowedSourceCidrs: ['::/0'] } }, 'webhook.allowedSourceCidrs.0: must not be /0'],
    [
      { correlation: { dataAccess: { table: 'CloudTrail; DROP', userColumn: 'u', timeColumn: 't', resourceColumn: 'r' } } },
      'correlation.dataAccess.table: must be a lower-case SQL identifier',
    ],
    [
      { correlation: { dataAccess: { table: 'ct', userColumn: 'u', timeColumn: 't', resourceColumn: 'r', s3Location: 's3://bucket/prefix' } } },
      'correlation.dataAccess.s3Location: must be s3://bucket/',
    ],
    [
      { correlation: { dataAccess: { table: 'ct', userColumn: 'u', timeColumn: 't', resourceColumn: 'r', s3Location: 's3://bucket/logs/*/' } } },
      'correlation.dataAccess.s3Location: must be s3://bucket/',
    ],
    [
      { correlation: { dataAccess: { table: 'ct', userColumn: 'u', timeColumn: 't', resourceColumn: 'r', kmsKeyArn: 'alias/ct' } } },
      'correlation.dataAccess.kmsKeyArn: must be a KMS key ARN',
    ],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parseConfig(input)).toThrow(ConfigError);
    expect(() => parseConfig(input)).toThrow(message);
  });

  it('names the file when it is not JSON', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zl-config-')), 'bad.json');
    writeFileSync(file, '{ "internalDomains": [ }');
    expect(() => loadConfig(file)).toThrow(`config file ${file} is not valid JSON`);
  });

  it('names a missing file', () => {
    expect(() => loadConfig('/nonexistent/zoomlake.config.json')).toThrow('cannot read config file /nonexistent/zoomlake.config.json');
  });
});
