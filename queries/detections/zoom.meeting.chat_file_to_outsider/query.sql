-- Files employees shared in the chat of a meeting whose topic is sensitive (view sensitive_meeting_patterns) that
-- reached an outsider in the last 2 days: sent to everyone, or to a group Zoom does not name the members of, while an
-- outsider was in the meeting; sent privately to an outsider; or downloaded by one. An outsider is an external email
-- (not in internal_domains) or unauthenticated (no email, or never signed in, across every source), not registered
-- for the meeting (registrant_id in any source: the host named them) and not on the phone (no chat there). Presence
-- is each session from its join to its leave: the first participant_left after a participant_joined webhook with
-- the same participant id (open while none has come), or the pollers' join and leave times; waiting-room sessions
-- do not count. A file whose sender is an outsider is theirs and is left out. One row per meeting and file. Files:
-- last 2 days; joins, topics and the file's own send event: last 3 days. Every ? is the run's end time.
WITH files AS (
  SELECT
    c.event,
    c.event_time,
    c.meeting_uuid,
    c.meeting_id,
    c.file_id,
    c.file_name,
    c.file_size,
    lower(nullif(trim(c.sender_email), '')) AS sender_email,
    nullif(trim(c.sender_name), '') AS sender_name,
    lower(nullif(trim(c.sender_type), '')) AS sender_type,
    lower(coalesce(nullif(trim(c.recipient_type), ''), 'everyone')) AS recipient_type,
    lower(nullif(trim(c.recipient_email), '')) AS recipient_email,
    nullif(trim(c.recipient_name), '') AS recipient_name,
    lower(nullif(trim(c.operator), '')) AS downloader,
    regexp_like(c.event, '_sent$') AS sent
  FROM meeting_chat_events c
  WHERE c.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND c.event_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND c.event_time < from_iso8601_timestamp(?)
    AND c.meeting_uuid IS NOT NULL
),
topics AS (
  SELECT pe.meeting_uuid, pe.topic
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT me.meeting_uuid, me.topic
  FROM meeting_events me
  WHERE me.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT m.meeting_uuid, m.topic
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND m.start_time < from_iso8601_timestamp(?)
),
sensitive AS (
  SELECT t.meeting_uuid, max(t.topic) AS topic
  FROM topics t
  JOIN sensitive_meeting_patterns p ON regexp_like(t.topic, p.pattern)
  WHERE t.meeting_uuid IS NOT NULL
  GROUP BY t.meeting_uuid
),
-- Join sessions in the sensitive meetings of the files, from the webhooks and both pollers.
sessions AS (
  SELECT
    j.meeting_uuid,
    lower(nullif(trim(j.email), '')) AS email,
    nullif(trim(j.user_name), '') AS user_name,
    nullif(j.participant_user_id, '') AS zoom_user_id,
    nullif(j.registrant_id, '') AS registrant_id,
    nullif(j.phone_number, '') AS phone_number,
    j.event_time AS join_time,
    min(l.event_time) AS leave_time
  FROM participant_events j
  LEFT JOIN participant_events l
    ON l.meeting_uuid = j.meeting_uuid
   AND l.participant_id = j.participant_id
   AND l.event IN ('meeting.participant_left', 'webinar.participant_left')
   AND l.event_time >= j.event_time
   AND l.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
  WHERE j.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND j.event_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND j.event_time < from_iso8601_timestamp(?)
    AND j.event IN ('meeting.participant_joined', 'webinar.participant_joined')
    AND j.meeting_uuid IN (SELECT meeting_uuid FROM sensitive)
  GROUP BY j.record_id, j.meeting_uuid, j.email, j.user_name, j.participant_user_id, j.registrant_id, j.phone_number, j.event_time
  UNION ALL
  SELECT mp.meeting_uuid, lower(nullif(trim(mp.user_email), '')), nullif(trim(mp.name), ''),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), nullif(mp.registrant_id, ''), CAST(NULL AS varchar),
    mp.join_time, mp.leave_time
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND coalesce(mp.status, '') <> 'in_waiting_room'
    AND mp.meeting_uuid IN (SELECT meeting_uuid FROM sensitive)
  UNION ALL
  SELECT pd.meeting_uuid, lower(nullif(trim(pd.email), '')), nullif(trim(pd.user_name), ''),
    coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')), nullif(pd.registrant_id, ''), CAST(NULL AS varchar),
    pd.join_time, pd.leave_time
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND coalesce(pd.status, '') <> 'in_waiting_room'
    AND pd.meeting_uuid IN (SELECT meeting_uuid FROM sensitive)
),
-- Within a meeting, a display name seen with an email lends it to the same name's email-less rows: the report APIs
-- blank external users' emails that the webhook carried.
named AS (
  SELECT meeting_uuid, lower(user_name) AS name_key, max(email) AS email
  FROM sessions
  WHERE email IS NOT NULL AND user_name IS NOT NULL
  GROUP BY meeting_uuid, lower(user_name)
),
present AS (
  SELECT
    s.meeting_uuid,
    coalesce(coalesce(s.email, n.email), 'guest:' || lower(coalesce(s.user_name, '(no name)'))) AS person,
    coalesce(s.email, n.email) AS email,
    s.zoom_user_id, s.registrant_id, s.phone_number, s.join_time, s.leave_time
  FROM sessions s
  LEFT JOIN named n ON n.meeting_uuid = s.meeting_uuid AND n.name_key = lower(s.user_name)
),
outsiders AS (
  SELECT p.meeting_uuid, p.person
  FROM present p
  LEFT JOIN internal_domains d ON d.domain = split_part(p.email, '@', 2)
  GROUP BY p.meeting_uuid, p.person
  HAVING (max(d.domain) IS NULL OR max(p.email) IS NULL OR NOT bool_or(p.zoom_user_id IS NOT NULL))
    AND NOT bool_or(p.registrant_id IS NOT NULL)
    AND NOT bool_or(p.phone_number IS NOT NULL)
),
-- The employee who shared each file (its send event); a file an outsider sent is not the organisation's.
senders AS (
  SELECT f.meeting_uuid, f.file_id, max(f.sender_email) AS sender_email, max(f.sender_name) AS sender_name,
    bool_and(d.domain IS NOT NULL OR (f.sender_email IS NULL AND f.sender_type = 'host')) AS internal
  FROM files f
  LEFT JOIN internal_domains d ON d.domain = split_part(f.sender_email, '@', 2)
  WHERE f.sent
  GROUP BY f.meeting_uuid, f.file_id
),
judged AS (
  SELECT f.*, s.topic
  FROM files f
  JOIN sensitive s ON s.meeting_uuid = f.meeting_uuid
  LEFT JOIN senders sd ON sd.meeting_uuid = f.meeting_uuid AND sd.file_id = f.file_id
  WHERE f.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND coalesce(sd.internal, true)
),
reached AS (
  -- Sent to everyone (or a group without a named internal recipient): every outsider in the meeting at that moment.
  SELECT j.meeting_uuid, j.file_id, o.person AS outsider, CAST(NULL AS varchar) AS downloader,
    'in the meeting when it was sent to ' || j.recipient_type AS how, j.event_time
  FROM judged j
  JOIN present p ON p.meeting_uuid = j.meeting_uuid AND p.join_time <= j.event_time AND (p.leave_time IS NULL OR p.leave_time > j.event_time)
  JOIN outsiders o ON o.meeting_uuid = p.meeting_uuid AND o.person = p.person
  WHERE j.sent AND (j.recipient_type = 'everyone' OR (j.recipient_type = 'group' AND j.recipient_email IS NULL))
  UNION ALL
  -- Sent to one participant (or the host): an external email, or a participant without one who is an outsider.
  SELECT j.meeting_uuid, j.file_id, coalesce(j.recipient_email, 'guest:' || lower(j.recipient_name)), CAST(NULL AS varchar),
    'sent privately (' || j.recipient_type || ')', j.event_time
  FROM judged j
  LEFT JOIN internal_domains d ON d.domain = split_part(j.recipient_email, '@', 2)
  LEFT JOIN outsiders o ON o.meeting_uuid = j.meeting_uuid AND o.person = 'guest:' || lower(j.recipient_name)
  WHERE j.sent
    AND NOT (j.recipient_type = 'everyone' OR (j.recipient_type = 'group' AND j.recipient_email IS NULL))
    AND ((j.recipient_email IS NOT NULL AND d.domain IS NULL) OR (j.recipient_email IS NULL AND o.person IS NOT NULL))
  UNION ALL
  -- Downloaded by an external email that did not register for the meeting.
  SELECT j.meeting_uuid, j.file_id, j.downloader, j.downloader, 'downloaded it', j.event_time
  FROM judged j
  LEFT JOIN internal_domains d ON d.domain = split_part(j.downloader, '@', 2)
  LEFT JOIN (SELECT meeting_uuid, email FROM present WHERE registrant_id IS NOT NULL GROUP BY meeting_uuid, email) r
    ON r.meeting_uuid = j.meeting_uuid AND r.email = j.downloader
  WHERE NOT j.sent AND j.downloader IS NOT NULL AND d.domain IS NULL AND r.email IS NULL
),
first_downloader AS (
  SELECT meeting_uuid, file_id, min_by(downloader, event_time) AS downloader
  FROM reached
  WHERE downloader IS NOT NULL
  GROUP BY meeting_uuid, file_id
)
SELECT
  r.meeting_uuid,
  max(j.meeting_id) AS meeting_id,
  r.file_id,
  max(j.file_name) AS file_name,
  max(j.file_size) AS file_size,
  max(j.topic) AS topic,
  max(sd.sender_email) AS user_email,
  max(sd.sender_name) AS sender_name,
  max(fd.downloader) AS operator,
  array_join(array_sort(array_agg(DISTINCT r.outsider || ': ' || r.how)), '; ') AS outsiders,
  min(r.event_time) AS first_seen,
  max(r.event_time) AS last_seen
FROM reached r
JOIN judged j ON j.meeting_uuid = r.meeting_uuid AND j.file_id = r.file_id
LEFT JOIN senders sd ON sd.meeting_uuid = r.meeting_uuid AND sd.file_id = r.file_id
LEFT JOIN first_downloader fd ON fd.meeting_uuid = r.meeting_uuid AND fd.file_id = r.file_id
GROUP BY r.meeting_uuid, r.file_id
