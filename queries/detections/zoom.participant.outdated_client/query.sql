-- Zoom clients older than the configured minimum (view min_client_version) that joined on the UTC day before the
-- run: one partition, so Athena reads about a thirtieth of a 30-day table. Only the organisation's own users (an
-- email on an internal domain) unless include_outsiders is 1: customers' and guests' clients are not the
-- organisation's to patch. Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT max(CASE WHEN name = 'include_outsiders' THEN value END) AS include_outsiders
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.outdated_client'
),
joins AS (
  SELECT
    coalesce(lower(nullif(pd.email, '')), pd.user_name) AS participant,
    lower(nullif(pd.email, '')) AS user_email,
    pd.user_name,
    pd.version,
    pd.device,
    pd.ip_address,
    pd.meeting_uuid,
    pd.join_time,
    CAST(regexp_extract(pd.version, '^(\d+)\.(\d+)\.(\d+)', 1) AS integer) AS major,
    CAST(regexp_extract(pd.version, '^(\d+)\.(\d+)\.(\d+)', 2) AS integer) AS minor,
    CAST(regexp_extract(pd.version, '^(\d+)\.(\d+)\.(\d+)', 3) AS integer) AS patch
  FROM participant_details pd
  WHERE pd.dt = date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d')
    AND regexp_like(pd.version, '^\d+\.\d+\.\d+')
)
SELECT
  j.participant,
  j.version,
  m.version AS minimum_version,
  max(j.user_email) AS user_email,
  max(j.user_name) AS user_name,
  max_by(j.device, j.join_time) AS device,
  max_by(j.ip_address, j.join_time) AS ip_address,
  count(DISTINCT j.meeting_uuid) AS meetings,
  min(j.join_time) AS first_seen,
  max(j.join_time) AS last_seen
FROM joins j
CROSS JOIN min_client_version m
CROSS JOIN params p
LEFT JOIN internal_domains d ON d.domain = split_part(j.user_email, '@', 2)
WHERE (j.major < m.major
   OR (j.major = m.major AND j.minor < m.minor)
   OR (j.major = m.major AND j.minor = m.minor AND j.patch < m.patch))
  AND (d.domain IS NOT NULL OR p.include_outsiders = 1)
GROUP BY j.participant, j.version, m.version
