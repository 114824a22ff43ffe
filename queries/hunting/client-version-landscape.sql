-- Which Zoom client versions do our users run? Each user's latest client version seen in the last 30 days (sign-ins
-- from activities and user.signed_in webhooks, and the users snapshot), counted per version, with versions below
-- the configured minimum (view min_client_version) flagged. Versions that are not numeric are listed unflagged.
WITH seen AS (
  SELECT lower(email) AS email, version, time AS seen_at
  FROM activities
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
  UNION ALL
  SELECT lower(email), client_version, event_time
  FROM user_events
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
    AND event = 'user.signed_in'
  UNION ALL
  SELECT lower(email), last_client_version, coalesce(last_login_time, snapshot_time)
  FROM users
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
),
latest AS (
  SELECT email, max_by(version, seen_at) AS version, max(seen_at) AS last_seen
  FROM seen
  WHERE email IS NOT NULL AND nullif(version, '') IS NOT NULL
  GROUP BY email
),
versions AS (
  SELECT
    version,
    count(*) AS users,
    max(last_seen) AS last_seen,
    CAST(regexp_extract(version, '^(\d+)\.(\d+)\.(\d+)', 1) AS integer) AS major,
    CAST(regexp_extract(version, '^(\d+)\.(\d+)\.(\d+)', 2) AS integer) AS minor,
    CAST(regexp_extract(version, '^(\d+)\.(\d+)\.(\d+)', 3) AS integer) AS patch
  FROM latest
  GROUP BY version
)
SELECT
  v.version,
  v.users,
  CASE
    WHEN v.major IS NULL THEN NULL
    WHEN v.major < m.major
      OR (v.major = m.major AND v.minor < m.minor)
      OR (v.major = m.major AND v.minor = m.minor AND v.patch < m.patch) THEN true
    ELSE false
  END AS below_minimum,
  m.version AS minimum_version,
  v.last_seen
FROM versions v
CROSS JOIN min_client_version m
ORDER BY below_minimum DESC, v.users DESC, v.version
