-- External participants and unauthenticated guests in meetings whose topic matches a sensitive pattern (view
-- sensitive_meeting_patterns), last 7 days. A signed-in external identity alerts once it sat in min_sensitive_meetings
-- or more sensitive meeting instances (one outside adviser in one board meeting is routine); an unauthenticated guest
-- (no email, or no Zoom user id in any source) alerts on the first, since nobody can say who it was. Joins that came
-- through the meeting's registration (registrant_id in any source) never count: the host vetted or at least named
-- them (investor updates, briefings). The realtime check applies the same scope and counts as each join arrives.
-- Signed-in joins with an email, or an email domain, in trusted_externals (config trustedExternals) never count either.
-- Joins come from webhooks and both report pollers, so either collector suffices. Every ? is the run's end time.
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
  SELECT pe.meeting_uuid, pe.meeting_id, coalesce(lower(nullif(trim(pe.email), '')), ju.email) AS email, nullif(trim(pe.user_name), '') AS user_name,
    nullif(pe.participant_user_id, '') AS zoom_user_id, nullif(pe.registrant_id, '') AS registrant_id, pe.event_time AS join_time,
    'participant_events' AS source
  FROM participant_events pe
  LEFT JOIN jbh_users ju
    ON ju.user_id = pe.participant_user_id
    AND pe.event IN ('meeting.participant_jbh_joined', 'meeting.participant_jbh_waiting', 'webinar.participant_jbh_joined',
                     'webinar.participant_jbh_waiting')
  WHERE pe.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined', 'meeting.participant_jbh_joined', 'webinar.participant_jbh_joined')
  UNION ALL
  SELECT mp.meeting_uuid, mp.meeting_id, lower(nullif(trim(mp.user_email), '')), nullif(trim(mp.name), ''),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), nullif(mp.registrant_id, ''), mp.join_time, 'meeting_participants'
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND coalesce(mp.status, '') <> 'in_waiting_room'
  UNION ALL
  SELECT pd.meeting_uuid, pd.meeting_id, lower(nullif(trim(pd.email), '')), nullif(trim(pd.user_name), ''),
    coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')), nullif(pd.registrant_id, ''), pd.join_time, 'participant_details'
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND coalesce(pd.status, '') <> 'in_waiting_room'
),
-- The report tables carry no topic: take it from the webhooks and the meetings poller alike.
topics AS (
  SELECT pe.meeting_uuid, pe.topic
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT me.meeting_uuid, me.topic
  FROM meeting_events me
  WHERE me.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT m.meeting_uuid, m.topic
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND m.start_time < from_iso8601_timestamp(?)
),
sensitive AS (
  SELECT t.meeting_uuid, max(t.topic) AS topic
  FROM topics t
  JOIN sensitive_meeting_patterns p ON regexp_like(t.topic, p.pattern)
  WHERE t.meeting_uuid IS NOT NULL
  GROUP BY t.meeting_uuid
),
-- Within a meeting, a display name seen with an email lends it to the same name's email-less rows: the report APIs
-- blank external users' emails that the webhook carried.
named AS (
  SELECT j.meeting_uuid, lower(j.user_name) AS name_key, max(j.email) AS email
  FROM joins j
  WHERE j.email IS NOT NULL AND j.user_name IS NOT NULL
  GROUP BY j.meeting_uuid, lower(j.user_name)
),
per_meeting AS (
  SELECT
    coalesce(coalesce(j.email, n.email), 'guest:' || lower(coalesce(j.user_name, '(no name)'))) AS participant,
    j.meeting_uuid,
    s.topic,
    max(coalesce(j.email, n.email)) AS user_email,
    max(j.user_name) AS user_name,
    max(j.meeting_id) AS meeting_id,
    bool_or(j.zoom_user_id IS NOT NULL) AS signed_in,
    bool_or(j.registrant_id IS NOT NULL) AS registered,
    min(j.join_time) AS first_join,
    max(j.join_time) AS last_join,
    array_join(array_sort(array_agg(DISTINCT j.source)), ', ') AS sources
  FROM joins j
  JOIN sensitive s ON s.meeting_uuid = j.meeting_uuid
  LEFT JOIN named n ON n.meeting_uuid = j.meeting_uuid AND n.name_key = lower(j.user_name)
  GROUP BY coalesce(coalesce(j.email, n.email), 'guest:' || lower(coalesce(j.user_name, '(no name)'))), j.meeting_uuid, s.topic
),
outsiders AS (
  SELECT pm.*, (pm.user_email IS NULL OR NOT pm.signed_in) AS unauthenticated
  FROM per_meeting pm
  LEFT JOIN internal_domains d ON d.domain = split_part(pm.user_email, '@', 2)
  WHERE (d.domain IS NULL OR pm.user_email IS NULL OR NOT pm.signed_in) AND NOT pm.registered
    -- Signed in as someone the organisation expects there (view trusted_externals: a board member, outside counsel).
    AND NOT EXISTS (
      SELECT 1 FROM trusted_externals t
      WHERE pm.signed_in AND t.entry IN (pm.user_email, split_part(pm.user_email, '@', 2))
    )
),
params AS (
  SELECT max(CASE WHEN name = 'min_sensitive_meetings' THEN value END) AS min_sensitive_meetings
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.external_in_sensitive_meeting'
)
SELECT
  o.participant,
  max(o.user_email) AS user_email,
  max(o.user_name) AS user_name,
  count(DISTINCT o.meeting_uuid) AS sensitive_meetings,
  bool_or(o.unauthenticated) AS unauthenticated,
  array_join(array_sort(array_agg(DISTINCT o.topic)), ' | ') AS topics,
  array_join(array_sort(array_agg(DISTINCT o.meeting_id)), ', ') AS meeting_ids,
  array_join(array_sort(array_agg(DISTINCT o.meeting_uuid)), ', ') AS meeting_uuids,
  array_join(array_sort(array_agg(DISTINCT o.sources)), '; ') AS sources,
  min(o.first_join) AS first_seen,
  max(o.last_join) AS last_seen
FROM outsiders o
CROSS JOIN params p
GROUP BY o.participant
HAVING count(DISTINCT o.meeting_uuid) >= max(p.min_sensitive_meetings) OR bool_or(o.unauthenticated)
