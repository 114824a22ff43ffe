-- A participant without a registrant_id in a meeting that requires registration: someone who joined with the plain
-- join link (forwarded, leaked, or guessed with the passcode) instead of their own registration link.
-- Participants (last day): meeting_participants (report API), participant_details (dashboard API) and
-- participant_events (webhook meeting.participant_joined and _jbh_joined), read together so either collector suffices.
-- A meeting number requires registration when, in order of precedence:
--   1. the latest meeting.created/meeting.updated webhook (webhook_events.raw, 30 days) that states
--      payload.object.settings.approval_type says 0 or 1 (2 = no registration, which vetoes the rest); or
--   2. a meeting.registration_created/approved webhook for it arrived in the last 30 days; or
--   3. at least 2 distinct registrant_ids among its participants in the last day.
-- Not flagged: anyone with a registrant_id on any row of the same instance (collector differences), the host (by
-- email or Zoom user id, from meetings, meeting_events and the participant webhooks), participants whose role is
-- host/co-host/panelist, alternative hosts named in the meeting's settings, the organisation's own signed-in users
-- (an email on an internal domain together with a Zoom user id: colleagues watching or presenting skip
-- registration, and a typed-in email alone proves nothing), and waiting-room-only rows.
-- Every ? is the run's end time (ISO-8601 UTC).
WITH -- Joins before the host carry no email (Zoom sends none): a signed-in participant's Zoom user id names the user, by
-- the users snapshots and user webhooks of 30 days, as the realtime user directory does.
jbh_users AS (
  SELECT x.user_id, max(x.email) AS email
  FROM (
    SELECT u.user_id, lower(nullif(trim(u.email), '')) AS email
    FROM users u
    WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND u.snapshot_time < from_iso8601_timestamp(?)
    UNION ALL
    SELECT ue.user_id, lower(nullif(trim(ue.email), ''))
    FROM user_events ue
    WHERE ue.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND ue.event_time < from_iso8601_timestamp(?)
  ) x
  WHERE x.user_id IS NOT NULL AND x.email IS NOT NULL
  GROUP BY x.user_id
),
joins AS (
  SELECT mp.meeting_id, mp.meeting_uuid, lower(nullif(trim(mp.user_email), '')) AS user_email, mp.name AS user_name,
    nullif(mp.registrant_id, '') AS registrant_id,
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')) AS zoom_user_id,
    CAST(NULL AS varchar) AS role, CAST(NULL AS varchar) AS host_id, CAST(NULL AS varchar) AS ip_address,
    mp.join_time, 'meeting_participants' AS source
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND coalesce(mp.status, 'in_meeting') <> 'in_waiting_room'
  UNION ALL
  SELECT pd.meeting_id, pd.meeting_uuid, lower(nullif(trim(pd.email), '')), pd.user_name,
    nullif(pd.registrant_id, ''),
    coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')),
    lower(pd.role), CAST(NULL AS varchar), pd.ip_address,
    pd.join_time, 'participant_details'
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND coalesce(pd.status, 'in_meeting') <> 'in_waiting_room'
  UNION ALL
  SELECT pe.meeting_id, pe.meeting_uuid, coalesce(lower(nullif(trim(pe.email), '')), ju.email), pe.user_name,
    nullif(pe.registrant_id, ''),
    nullif(pe.participant_user_id, ''),
    CAST(NULL AS varchar), pe.host_id, pe.public_ip,
    pe.event_time, 'participant_events'
  FROM participant_events pe
  LEFT JOIN jbh_users ju ON ju.user_id = pe.participant_user_id AND pe.event = 'meeting.participant_jbh_joined'
  WHERE pe.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    -- A join before the host is a join: the link used while nobody watches.
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_jbh_joined')
),
keyed AS (
  SELECT j.*, coalesce(j.user_email, j.zoom_user_id, 'name:' || lower(trim(j.user_name))) AS participant
  FROM joins j
  WHERE j.meeting_id IS NOT NULL
),
webhooks AS (
  SELECT w.event, w.event_time, w.object_id AS meeting_id, w.raw
  FROM webhook_events w
  WHERE w.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND w.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND w.event_time < from_iso8601_timestamp(?)
    AND w.event IN ('meeting.created', 'meeting.updated', 'meeting.registration_created', 'meeting.registration_approved')
    AND w.object_id IS NOT NULL
),
scheduled_settings AS (
  SELECT meeting_id, event_time,
    json_extract_scalar(raw, '$.payload.object.settings.approval_type') AS approval_type,
    json_extract_scalar(raw, '$.payload.object.settings.alternative_hosts') AS alternative_hosts
  FROM webhooks
  WHERE event IN ('meeting.created', 'meeting.updated')
),
approval AS (
  SELECT meeting_id, max_by(approval_type, event_time) AS approval_type
  FROM scheduled_settings
  WHERE approval_type IS NOT NULL
  GROUP BY meeting_id
),
alternative_hosts AS (
  SELECT meeting_id, max_by(alternative_hosts, event_time) AS alternative_hosts
  FROM scheduled_settings
  WHERE alternative_hosts IS NOT NULL
  GROUP BY meeting_id
),
registration_webhooks AS (
  SELECT meeting_id, count(*) AS registration_webhooks
  FROM webhooks
  WHERE event IN ('meeting.registration_created', 'meeting.registration_approved')
  GROUP BY meeting_id
),
registered AS (
  SELECT meeting_id, count(DISTINCT registrant_id) AS registered_participants
  FROM keyed
  WHERE registrant_id IS NOT NULL
  GROUP BY meeting_id
),
requiring AS (
  SELECT
    m.meeting_id,
    coalesce(r.registered_participants, 0) AS registered_participants,
    a.approval_type,
    coalesce(w.registration_webhooks, 0) AS registration_webhooks,
    replace(replace(lower(coalesce(ah.alternative_hosts, '')), ' ', ''), ',', ';') AS alternative_hosts
  FROM (SELECT DISTINCT meeting_id FROM keyed) m
  LEFT JOIN registered r ON r.meeting_id = m.meeting_id
  LEFT JOIN approval a ON a.meeting_id = m.meeting_id
  LEFT JOIN registration_webhooks w ON w.meeting_id = m.meeting_id
  LEFT JOIN alternative_hosts ah ON ah.meeting_id = m.meeting_id
  WHERE CASE
    WHEN a.approval_type IN ('0', '1') THEN true
    WHEN a.approval_type = '2' THEN false
    ELSE (coalesce(w.registration_webhooks, 0) > 0 OR coalesce(r.registered_participants, 0) >= 2)
  END
),
hosts AS (
  SELECT mt.meeting_id, lower(mt.host_email) AS host_email, mt.host_id
  FROM meetings mt
  WHERE mt.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mt.start_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND mt.start_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT me.meeting_id, CAST(NULL AS varchar), me.host_id
  FROM meeting_events me
  WHERE me.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT k.meeting_id, CAST(NULL AS varchar), k.host_id FROM keyed k WHERE k.host_id IS NOT NULL
),
meeting_host_email AS (
  SELECT meeting_id, max(host_email) AS host_email FROM hosts WHERE meeting_id IS NOT NULL GROUP BY meeting_id
),
per_participant AS (
  SELECT
    k.meeting_id, k.meeting_uuid, k.participant,
    max(k.user_email) AS user_email,
    max(k.user_name) AS user_name,
    max(k.zoom_user_id) AS zoom_user_id,
    max(k.registrant_id) AS registrant_id,
    max(CASE WHEN k.role IN ('host', 'co-host', 'cohost', 'alternative host', 'panelist') THEN 1 ELSE 0 END) AS privileged_role,
    max(k.ip_address) AS ip_address,
    array_join(array_agg(DISTINCT k.source), ', ') AS sources,
    count(*) AS join_rows,
    min(k.join_time) AS first_seen,
    max(k.join_time) AS last_seen
  FROM keyed k
  GROUP BY k.meeting_id, k.meeting_uuid, k.participant
),
host_participants AS (
  SELECT DISTINCT p.meeting_uuid, p.participant
  FROM per_participant p
  JOIN hosts h ON h.meeting_id = p.meeting_id
    AND ((p.user_email IS NOT NULL AND h.host_email = p.user_email) OR (p.zoom_user_id IS NOT NULL AND h.host_id = p.zoom_user_id))
)
SELECT
  p.meeting_uuid,
  p.participant,
  p.meeting_id,
  p.user_email,
  p.user_name,
  p.ip_address,
  he.host_email,
  q.registered_participants,
  q.approval_type,
  q.registration_webhooks,
  p.sources,
  p.join_rows,
  p.first_seen,
  p.last_seen
FROM per_participant p
JOIN requiring q ON q.meeting_id = p.meeting_id
LEFT JOIN meeting_host_email he ON he.meeting_id = p.meeting_id
LEFT JOIN host_participants hp ON hp.meeting_uuid = p.meeting_uuid AND hp.participant = p.participant
LEFT JOIN internal_domains d ON d.domain = split_part(p.user_email, '@', 2)
WHERE p.registrant_id IS NULL
  AND NOT (d.domain IS NOT NULL AND p.zoom_user_id IS NOT NULL)
  AND p.privileged_role = 0
  AND hp.participant IS NULL
  AND NOT (p.user_email IS NOT NULL AND strpos(';' || q.alternative_hosts || ';', ';' || p.user_email || ';') > 0)
