-- A meeting (or webinar) created or updated so that it has no passcode and no waiting room (and authentication is
-- not known to be on) when its topic is sensitive, a watched user hosts it, or it is a personal (type 4, or
-- use_pmi) or recurring (type 3 or 8) meeting that outsiders join. Zoom sends only the changed fields on an update
-- (old values in details_json = old_object), so each setting's value after an event is the latest the meeting's
-- created/updated events stated in 30 days; a setting no event stated is unknown, never "off" (an account-wide
-- passcode rule, for one, shows in no event). Topic, type and host come from those events, else from any other
-- source naming the meeting number. Outsiders: external email, no email or not signed in, and no registrant_id, in
-- the participant webhooks or the participant report, joining the meeting number (or, for use_pmi, the host's
-- personal meeting id) while the weak settings stood. One finding per meeting when it became weak and in scope
-- (sensitive or watched: the change itself; personal or recurring: the change, or the first outsider join after it
-- if none came before), reported when that happened in the last day. Every ? is the run's end time (ISO-8601 UTC).
WITH changes AS (
  SELECT me.meeting_id, me.event, me.event_time, nullif(trim(me.topic), '') AS topic, me.meeting_type, nullif(me.host_id, '') AS host_id,
    me.has_passcode, me.waiting_room, me.meeting_authentication, me.use_pmi, lower(nullif(trim(me.operator), '')) AS operator,
    me.details_json
  FROM meeting_events me
  WHERE me.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
    AND me.event IN ('meeting.created', 'meeting.updated', 'webinar.created', 'webinar.updated')
    AND me.meeting_id IS NOT NULL
),
-- Each change with every setting as it stood after it: the latest value any change up to then stated.
states AS (
  SELECT c.meeting_id, c.event, c.event_time, c.operator, c.details_json,
    max_by(p.has_passcode, CASE WHEN p.has_passcode IS NOT NULL THEN p.event_time END) AS has_passcode,
    max_by(p.waiting_room, CASE WHEN p.waiting_room IS NOT NULL THEN p.event_time END) AS waiting_room,
    max_by(p.meeting_authentication, CASE WHEN p.meeting_authentication IS NOT NULL THEN p.event_time END) AS meeting_authentication,
    max_by(p.use_pmi, CASE WHEN p.use_pmi IS NOT NULL THEN p.event_time END) AS use_pmi,
    max_by(p.topic, CASE WHEN p.topic IS NOT NULL THEN p.event_time END) AS topic,
    max_by(p.meeting_type, CASE WHEN p.meeting_type IS NOT NULL THEN p.event_time END) AS meeting_type,
    max_by(p.host_id, CASE WHEN p.host_id IS NOT NULL THEN p.event_time END) AS host_id
  FROM changes c
  JOIN changes p ON p.meeting_id = c.meeting_id AND p.event_time <= c.event_time
  GROUP BY c.meeting_id, c.event, c.event_time, c.operator, c.details_json
),
-- What other sources say about each meeting number, for what its changes left out (an update names no topic).
named AS (
  SELECT me.meeting_id, nullif(trim(me.topic), '') AS topic, me.meeting_type, nullif(me.host_id, '') AS host_id,
    CAST(NULL AS varchar) AS host_email, me.event_time AS seen_at
  FROM meeting_events me
  WHERE me.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT pe.meeting_id, nullif(trim(pe.topic), ''), CAST(NULL AS integer), nullif(pe.host_id, ''), CAST(NULL AS varchar), pe.event_time
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT m.meeting_id, nullif(trim(m.topic), ''), m.meeting_type, nullif(m.host_id, ''), lower(nullif(trim(m.host_email), '')), m.start_time
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND m.start_time < from_iso8601_timestamp(?)
),
known AS (
  SELECT meeting_id,
    max_by(topic, CASE WHEN topic IS NOT NULL THEN seen_at END) AS topic,
    max_by(meeting_type, CASE WHEN meeting_type IS NOT NULL THEN seen_at END) AS meeting_type,
    max_by(host_id, CASE WHEN host_id IS NOT NULL THEN seen_at END) AS host_id,
    max_by(host_email, CASE WHEN host_email IS NOT NULL THEN seen_at END) AS host_email
  FROM named
  WHERE meeting_id IS NOT NULL
  GROUP BY meeting_id
),
directory AS (
  SELECT u.user_id, max_by(lower(u.email), u.snapshot_time) AS email, max_by(nullif(u.pmi, ''), u.snapshot_time) AS pmi
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time < from_iso8601_timestamp(?)
  GROUP BY u.user_id
),
resolved AS (
  SELECT s.meeting_id, s.event, s.event_time, s.operator, s.details_json, s.has_passcode, s.waiting_room, s.meeting_authentication,
    s.use_pmi,
    coalesce(s.topic, k.topic) AS topic,
    coalesce(s.meeting_type, k.meeting_type) AS meeting_type,
    coalesce(s.host_id, k.host_id) AS host_id,
    coalesce(d.email, k.host_email) AS host_email,
    d.pmi AS host_pmi,
    lead(s.event_time) OVER (PARTITION BY s.meeting_id ORDER BY s.event_time) AS next_change
  FROM states s
  LEFT JOIN known k ON k.meeting_id = s.meeting_id
  LEFT JOIN directory d ON d.user_id = coalesce(s.host_id, k.host_id)
),
sensitive AS (
  SELECT DISTINCT r.meeting_id, r.event_time
  FROM resolved r
  JOIN sensitive_meeting_patterns p ON regexp_like(r.topic, p.pattern)
),
scoped AS (
  SELECT r.*,
    (r.has_passcode = false AND r.waiting_room = false AND coalesce(r.meeting_authentication, false) = false) AS weak,
    (s.meeting_id IS NOT NULL) AS sensitive_topic,
    (w.email IS NOT NULL) AS watched_host,
    (r.meeting_type = 4 OR coalesce(r.use_pmi, false)) AS personal,
    (r.meeting_type IN (3, 8)) AS recurring
  FROM resolved r
  LEFT JOIN sensitive s ON s.meeting_id = r.meeting_id AND s.event_time = r.event_time
  LEFT JOIN watched_users w ON w.email = r.host_email
),
-- The changes that made the meeting weak and in scope; the change before it left it protected, unknown or out of scope.
flagged AS (
  SELECT * FROM (
    SELECT sc.*,
      (sc.weak AND (sc.sensitive_topic OR sc.watched_host OR sc.personal OR sc.recurring)) AS exposed,
      lag(sc.weak AND (sc.sensitive_topic OR sc.watched_host OR sc.personal OR sc.recurring))
        OVER (PARTITION BY sc.meeting_id ORDER BY sc.event_time) AS exposed_before
    FROM scoped sc
  ) x
  WHERE x.exposed AND NOT coalesce(x.exposed_before, false)
),
joins AS (
  SELECT pe.meeting_id, lower(nullif(trim(pe.email), '')) AS user_email, nullif(trim(pe.user_name), '') AS user_name,
    nullif(pe.participant_user_id, '') AS zoom_user_id, nullif(pe.registrant_id, '') AS registrant_id, pe.event_time AS join_time
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT mp.meeting_id, lower(nullif(trim(mp.user_email), '')), nullif(trim(mp.name), ''),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), nullif(mp.registrant_id, ''), mp.join_time
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND coalesce(mp.status, '') <> 'in_waiting_room'
),
outsider_joins AS (
  SELECT j.*, coalesce(j.user_email, 'guest:' || lower(coalesce(j.user_name, '(no name)'))) AS participant
  FROM joins j
  LEFT JOIN internal_domains d ON d.domain = split_part(j.user_email, '@', 2)
  WHERE j.registrant_id IS NULL AND (j.user_email IS NULL OR j.zoom_user_id IS NULL OR d.domain IS NULL)
),
-- Outsiders of personal and recurring meetings while the weak settings stood; those who joined before the change
-- count too (they are who the meeting is open to).
outsiders AS (
  SELECT f.meeting_id, f.event_time,
    bool_or(o.join_time < f.event_time) AS joined_before,
    min(CASE WHEN o.join_time >= f.event_time THEN o.join_time END) AS first_join_after,
    count(DISTINCT o.participant) AS outsiders,
    array_join(array_sort(array_agg(DISTINCT o.participant)), ', ') AS outsider_names
  FROM flagged f
  JOIN outsider_joins o ON (o.meeting_id = f.meeting_id OR (coalesce(f.use_pmi, false) AND o.meeting_id = f.host_pmi))
    AND (f.next_change IS NULL OR o.join_time < f.next_change)
  WHERE f.personal OR f.recurring
  GROUP BY f.meeting_id, f.event_time
),
findings AS (
  SELECT f.*, coalesce(o.outsiders, 0) AS outsiders, o.outsider_names,
    CASE WHEN f.sensitive_topic OR f.watched_host OR coalesce(o.joined_before, false) THEN f.event_time ELSE o.first_join_after END AS found_at
  FROM flagged f
  LEFT JOIN outsiders o ON o.meeting_id = f.meeting_id AND o.event_time = f.event_time
  WHERE f.sensitive_topic OR f.watched_host OR coalesce(o.outsiders, 0) > 0
)
SELECT
  f.meeting_id,
  f.host_email,
  f.operator,
  f.event,
  f.event_time AS changed_at,
  f.topic,
  f.meeting_type,
  f.has_passcode,
  f.waiting_room,
  f.meeting_authentication,
  f.use_pmi,
  nullif(json_extract_scalar(f.details_json, '$.password'), '') IS NOT NULL AS passcode_removed,
  coalesce(json_extract_scalar(f.details_json, '$.settings.waiting_room') = 'true', false) AS waiting_room_turned_off,
  concat_ws(', ',
    CASE WHEN f.sensitive_topic THEN 'sensitive topic' END,
    CASE WHEN f.watched_host THEN 'watched host' END,
    CASE WHEN f.personal AND f.outsiders > 0 THEN 'personal meeting with outsiders' END,
    CASE WHEN f.recurring AND f.outsiders > 0 THEN 'recurring meeting with outsiders' END) AS reasons,
  f.outsiders,
  f.outsider_names,
  f.found_at AS first_seen,
  f.found_at AS last_seen
FROM findings f
WHERE f.found_at >= date_add('day', -1, from_iso8601_timestamp(?))
  AND f.found_at < from_iso8601_timestamp(?)
