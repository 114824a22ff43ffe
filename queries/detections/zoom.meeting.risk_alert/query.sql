-- Zoom's At-Risk Meeting Notifier: a meeting's join link seen in a public post (meeting.risk_alert, last day). Two
-- findings per warning, told apart by `stage`: `warning` (the realtime check raises it as the webhook arrives; this
-- run raises it again, suppressed as a repeat, in case the realtime path missed it) and `joins_after_warning`,
-- once the follow_minutes after the warning have passed and at least one outsider (external email, no email or not
-- signed in, and no registrant_id) joined the meeting number in them: one row per join of that window, insiders
-- included, all with the warning's time as first_seen so they merge into one alert whose evidence is the joins. A
-- webinar's link is public by design: webinars count only with a sensitive topic or a watched host.
-- Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT max(CASE WHEN name = 'follow_minutes' THEN value END) AS follow_minutes
  FROM detection_parameters
  WHERE detection_id = 'zoom.meeting.risk_alert'
),
raw_warnings AS (
  SELECT me.event, me.event_time AS warned_at, me.meeting_id, me.meeting_uuid, nullif(trim(me.topic), '') AS topic, me.meeting_type,
    me.host_id, me.risk_post_platform, me.risk_post_url, me.risk_post_time, me.risk_meeting_url, me.details_json AS armn_details,
    lower(nullif(trim(json_extract_scalar(w.raw, '$.payload.object.host_email')), '')) AS payload_host_email
  FROM meeting_events me
  LEFT JOIN webhook_events w ON w.record_id = me.source_record_id
    AND w.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
  WHERE me.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
    AND me.event IN ('meeting.risk_alert', 'webinar.risk_alert')
    AND me.meeting_id IS NOT NULL
),
user_emails AS (
  SELECT u.user_id, max_by(lower(u.email), u.snapshot_time) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time < from_iso8601_timestamp(?)
    AND nullif(trim(u.email), '') IS NOT NULL
  GROUP BY u.user_id
),
sensitive AS (
  SELECT DISTINCT r.meeting_id, r.warned_at
  FROM raw_warnings r
  JOIN sensitive_meeting_patterns p ON regexp_like(r.topic, p.pattern)
),
warnings AS (
  SELECT r.*, coalesce(r.payload_host_email, ue.email) AS host_email,
    (s.meeting_id IS NOT NULL) AS sensitive_topic,
    (wu.email IS NOT NULL) AS watched_host,
    (r.event = 'webinar.risk_alert' OR coalesce(r.meeting_type, 0) IN (5, 6, 9)) AS webinar
  FROM raw_warnings r
  LEFT JOIN user_emails ue ON ue.user_id = r.host_id
  LEFT JOIN sensitive s ON s.meeting_id = r.meeting_id AND s.warned_at = r.warned_at
  LEFT JOIN watched_users wu ON wu.email = coalesce(r.payload_host_email, ue.email)
),
raised AS (
  SELECT w.* FROM warnings w WHERE NOT w.webinar OR w.sensitive_topic OR w.watched_host
),
joins AS (
  SELECT pe.meeting_id, pe.meeting_uuid, lower(nullif(trim(pe.email), '')) AS user_email, nullif(trim(pe.user_name), '') AS user_name,
    nullif(pe.participant_user_id, '') AS zoom_user_id, nullif(pe.registrant_id, '') AS registrant_id, pe.public_ip AS ip_address,
    pe.event_time AS join_time, 'participant_events' AS source
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT mp.meeting_id, mp.meeting_uuid, lower(nullif(trim(mp.user_email), '')), nullif(trim(mp.name), ''),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), nullif(mp.registrant_id, ''), CAST(NULL AS varchar),
    mp.join_time, 'meeting_participants'
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND coalesce(mp.status, '') <> 'in_waiting_room'
),
-- The joins of each raised warning's window, one row per person and instance (the webhook and the report name the
-- same join twice).
window_joins AS (
  SELECT r.meeting_id, r.warned_at, r.risk_post_url, j.meeting_uuid AS join_meeting_uuid,
    coalesce(j.user_email, 'guest:' || lower(coalesce(j.user_name, '(no name)'))) AS participant,
    max(j.user_email) AS user_email,
    max(j.user_name) AS user_name,
    bool_or(j.zoom_user_id IS NOT NULL) AS signed_in,
    bool_or(j.registrant_id IS NOT NULL) AS registered,
    max(j.ip_address) AS ip_address,
    min(j.join_time) AS join_time,
    array_join(array_sort(array_agg(DISTINCT j.source)), ', ') AS sources
  FROM raised r
  CROSS JOIN params p
  JOIN joins j ON j.meeting_id = r.meeting_id
    AND j.join_time >= r.warned_at
    AND j.join_time < date_add('minute', p.follow_minutes, r.warned_at)
  WHERE date_add('minute', p.follow_minutes, r.warned_at) <= from_iso8601_timestamp(?)
  GROUP BY r.meeting_id, r.warned_at, r.risk_post_url, j.meeting_uuid, coalesce(j.user_email, 'guest:' || lower(coalesce(j.user_name, '(no name)')))
),
classified AS (
  SELECT wj.*,
    (wj.user_email IS NULL OR NOT wj.signed_in) AS unauthenticated,
    (wj.user_email IS NOT NULL AND d.domain IS NULL) AS external
  FROM window_joins wj
  LEFT JOIN internal_domains d ON d.domain = split_part(wj.user_email, '@', 2)
),
exposed AS (
  SELECT meeting_id, warned_at, risk_post_url
  FROM classified
  WHERE (unauthenticated OR external) AND NOT registered
  GROUP BY meeting_id, warned_at, risk_post_url
)
SELECT
  'warning' AS stage,
  r.meeting_id, r.meeting_uuid, r.topic, r.meeting_type, r.host_email, r.sensitive_topic, r.watched_host, r.event,
  r.risk_post_platform, r.risk_post_url, r.risk_post_time, r.risk_meeting_url, r.armn_details, r.warned_at,
  CAST(NULL AS varchar) AS participant, CAST(NULL AS varchar) AS user_email, CAST(NULL AS varchar) AS user_name,
  CAST(NULL AS boolean) AS external, CAST(NULL AS boolean) AS unauthenticated, CAST(NULL AS boolean) AS registered,
  CAST(NULL AS varchar) AS ip_address, CAST(NULL AS varchar) AS join_meeting_uuid, CAST(NULL AS timestamp) AS join_time,
  CAST(NULL AS varchar) AS sources,
  r.warned_at AS first_seen,
  r.warned_at AS last_seen
FROM raised r
UNION ALL
SELECT
  'joins_after_warning',
  r.meeting_id, r.meeting_uuid, r.topic, r.meeting_type, r.host_email, r.sensitive_topic, r.watched_host, r.event,
  r.risk_post_platform, r.risk_post_url, r.risk_post_time, r.risk_meeting_url, r.armn_details, r.warned_at,
  c.participant, c.user_email, c.user_name, c.external, c.unauthenticated, c.registered, c.ip_address, c.join_meeting_uuid,
  c.join_time, c.sources,
  r.warned_at,
  c.join_time
FROM raised r
JOIN exposed e ON e.meeting_id = r.meeting_id AND e.warned_at = r.warned_at AND coalesce(e.risk_post_url, '') = coalesce(r.risk_post_url, '')
JOIN classified c ON c.meeting_id = r.meeting_id AND c.warned_at = r.warned_at AND coalesce(c.risk_post_url, '') = coalesce(r.risk_post_url, '')
