-- Who works with which outside organisations? Edges from internal hosts to external email domains, last 90 days:
-- meeting instances the host ran that people from the domain joined, how many of them, and when. Unauthenticated
-- guests without an email are one pseudo-domain, '(no email)'. Feed the edges to a graph tool or scan for new ones.
WITH joins AS (
  SELECT meeting_uuid, host_id, lower(nullif(email, '')) AS email, nullif(participant_user_id, '') AS zoom_user,
         user_name AS name, event_time AS joined_at
  FROM participant_events
  WHERE dt >= date_format(date_add('day', -90, current_timestamp), '%Y-%m-%d')
    AND event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT meeting_uuid, CAST(NULL AS varchar), lower(nullif(user_email, '')),
         coalesce(nullif(zoom_user_id, ''), nullif(participant_user_id, '')), name, join_time
  FROM meeting_participants
  WHERE dt >= date_format(date_add('day', -90, current_timestamp), '%Y-%m-%d')
  UNION ALL
  SELECT meeting_uuid, CAST(NULL AS varchar), lower(nullif(email, '')),
         coalesce(nullif(zoom_user_id, ''), nullif(participant_user_id, '')), user_name, join_time
  FROM participant_details
  WHERE dt >= date_format(date_add('day', -90, current_timestamp), '%Y-%m-%d')
),
externals AS (
  SELECT meeting_uuid, joined_at, coalesce(email, 'guest: ' || coalesce(name, '(no name)')) AS external,
         coalesce(split_part(email, '@', 2), '(no email)') AS external_domain
  FROM joins
  WHERE joined_at >= date_add('day', -90, current_timestamp)
    AND (email IS NULL
      OR coalesce(split_part(email, '@', 2), '') NOT IN (SELECT domain FROM internal_domains))
),
directory AS (
  SELECT user_id, max_by(lower(email), snapshot_time) AS email
  FROM users
  WHERE dt >= date_format(date_add('day', -90, current_timestamp), '%Y-%m-%d')
  GROUP BY user_id
),
hosts AS (
  SELECT meeting_uuid, max(host_email) AS host_email, max(host_id) AS host_id
  FROM (
    SELECT meeting_uuid, lower(host_email) AS host_email, host_id FROM meetings
    WHERE dt >= date_format(date_add('day', -91, current_timestamp), '%Y-%m-%d')
    UNION ALL
    SELECT meeting_uuid, CAST(NULL AS varchar), host_id FROM joins
  ) h
  GROUP BY meeting_uuid
),
edges AS (
  SELECT coalesce(h.host_email, d.email, h.host_id, '(unknown host)') AS host, x.*
  FROM externals x
  LEFT JOIN hosts h ON h.meeting_uuid = x.meeting_uuid
  LEFT JOIN directory d ON d.user_id = h.host_id
)
SELECT
  host,
  external_domain,
  count(DISTINCT meeting_uuid) AS meetings,
  count(DISTINCT external) AS external_participants,
  min(joined_at) AS first_seen,
  max(joined_at) AS last_seen
FROM edges
GROUP BY host, external_domain
ORDER BY meetings DESC, host, external_domain
