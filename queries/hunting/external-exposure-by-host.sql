-- Which hosts expose meetings to outsiders? Per host, last 30 days: meeting instances that external (email domain
-- not in internal_domains) or unauthenticated (no email or no Zoom user id) participants joined, how many distinct
-- externals, their domains, and when. Reads all three participant sources; hosts by email where known.
WITH joins AS (
  SELECT meeting_uuid, host_id, lower(nullif(email, '')) AS email, nullif(participant_user_id, '') AS zoom_user,
         user_name AS name, event_time AS joined_at
  FROM participant_events
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
    AND event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT meeting_uuid, CAST(NULL AS varchar), lower(nullif(user_email, '')),
         coalesce(nullif(zoom_user_id, ''), nullif(participant_user_id, '')), name, join_time
  FROM meeting_participants
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
  UNION ALL
  SELECT meeting_uuid, CAST(NULL AS varchar), lower(nullif(email, '')),
         coalesce(nullif(zoom_user_id, ''), nullif(participant_user_id, '')), user_name, join_time
  FROM participant_details
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
),
externals AS (
  SELECT meeting_uuid, joined_at, email,
         coalesce(email, 'guest: ' || coalesce(name, '(no name)')) AS external,
         coalesce(split_part(email, '@', 2), '(no email)') AS external_domain
  FROM joins
  WHERE email IS NULL
     OR zoom_user IS NULL
     OR coalesce(split_part(email, '@', 2), '') NOT IN (SELECT domain FROM internal_domains)
),
directory AS (
  SELECT user_id, max_by(lower(email), snapshot_time) AS email
  FROM users
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
  GROUP BY user_id
),
hosts AS (
  SELECT meeting_uuid, max(host_email) AS host_email, max(host_id) AS host_id
  FROM (
    SELECT meeting_uuid, lower(host_email) AS host_email, host_id FROM meetings
    WHERE dt >= date_format(date_add('day', -31, current_timestamp), '%Y-%m-%d')
    UNION ALL
    SELECT meeting_uuid, CAST(NULL AS varchar), host_id FROM joins
  ) h
  GROUP BY meeting_uuid
)
SELECT
  coalesce(h.host_email, d.email, h.host_id, '(unknown host)') AS host,
  count(DISTINCT x.meeting_uuid) AS exposed_meetings,
  count(DISTINCT x.external) AS distinct_externals,
  count(DISTINCT CASE WHEN x.email IS NULL THEN x.external END) AS guests_without_email,
  array_join(array_sort(array_agg(DISTINCT x.external_domain)), ', ') AS external_domains,
  min(x.joined_at) AS first_seen,
  max(x.joined_at) AS last_seen
FROM externals x
LEFT JOIN hosts h ON h.meeting_uuid = x.meeting_uuid
LEFT JOIN directory d ON d.user_id = h.host_id
WHERE x.joined_at >= date_add('day', -30, current_timestamp)
GROUP BY coalesce(h.host_email, d.email, h.host_id, '(unknown host)')
ORDER BY exposed_meetings DESC, distinct_externals DESC
