-- A user's meeting joins (participant_details, by lower-case email) switch country faster than travel allows: two
-- consecutive joins whose countries differ and where the later one starts less than 2 hours after the earlier one
-- ended (or while it was still running). The lake has no coordinates: Zoom's `location` is text such as
-- 'San Jose (US)' or 'United States', so this is a country-change-speed heuristic, not a distance calculation.
-- Country = the two-letter code in trailing parentheses, else the whole text; the two forms are never compared with
-- each other ('US' vs 'United States' would be a false change).
-- The finding's later join is in the last day; the earlier one may be up to a day older. A change between two
-- countries the user already joined from in the baseline_days before (a VPN that egresses abroad, a commute across a
-- border) is the user's routine, not travel: only a change that involves a country new for the user counts.
-- Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT
    max(CASE WHEN name = 'max_gap_minutes' THEN value END) AS max_gap_minutes,
    max(CASE WHEN name = 'baseline_days' THEN value END) AS baseline_days
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.impossible_travel'
),
sessions AS (
  SELECT
    lower(trim(pd.email)) AS user_email,
    pd.user_name,
    pd.meeting_id,
    pd.meeting_uuid,
    pd.ip_address,
    pd.location,
    pd.join_time,
    coalesce(pd.leave_time, pd.join_time) AS end_time,
    upper(regexp_extract(pd.location, '\(([A-Za-z]{2})\)\s*$', 1)) AS country_code,
    upper(trim(coalesce(regexp_extract(pd.location, '\(([A-Za-z]{2})\)\s*$', 1), pd.location))) AS country
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND nullif(trim(pd.email), '') IS NOT NULL
    AND nullif(trim(pd.location), '') IS NOT NULL
    AND lower(trim(pd.location)) NOT IN ('unknown', 'n/a', '-')
    AND coalesce(pd.status, 'in_meeting') <> 'in_waiting_room'
),
ordered AS (
  SELECT
    s.*,
    lag(s.country) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_country,
    lag(s.country_code) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_country_code,
    lag(s.location) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_location,
    lag(s.ip_address) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_ip_address,
    lag(s.meeting_id) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_meeting_id,
    lag(s.join_time) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_join_time,
    lag(s.end_time) OVER (PARTITION BY s.user_email ORDER BY s.join_time, s.meeting_uuid) AS prev_end_time
  FROM sessions s
),
changes AS (
  SELECT
    o.*,
    date_diff('minute', o.prev_end_time, o.join_time) AS gap_minutes,
    least(o.prev_country, o.country) || ' <-> ' || greatest(o.prev_country, o.country) AS countries
  FROM ordered o
  CROSS JOIN params p
  WHERE o.prev_country IS NOT NULL
    AND o.prev_country <> o.country
    AND (o.prev_country_code IS NULL) = (o.country_code IS NULL)
    AND o.join_time < date_add('minute', p.max_gap_minutes, o.prev_end_time)
    AND o.join_time >= date_add('day', -1, from_iso8601_timestamp(?))
),
-- Countries each user joined from in the baseline before the two-day window. The dt bound is a constant, the
-- lookback (2 days + baseline_days at its max of 30), so Athena prunes partitions: a bound computed from the params
-- CTE is not one it can evaluate, and it read every day. join_time applies baseline_days itself.
baseline AS (
  SELECT DISTINCT
    lower(trim(pd.email)) AS user_email,
    upper(trim(coalesce(regexp_extract(pd.location, '\(([A-Za-z]{2})\)\s*$', 1), pd.location))) AS country
  FROM participant_details pd
  CROSS JOIN params p
  WHERE pd.dt BETWEEN date_format(date_add('day', -32, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2 - p.baseline_days, from_iso8601_timestamp(?))
    AND pd.join_time < date_add('day', -2, from_iso8601_timestamp(?))
    AND nullif(trim(pd.email), '') IS NOT NULL
    AND nullif(trim(pd.location), '') IS NOT NULL
),
novel AS (
  SELECT c.*
  FROM changes c
  LEFT JOIN baseline b1 ON b1.user_email = c.user_email AND b1.country = c.prev_country
  LEFT JOIN baseline b2 ON b2.user_email = c.user_email AND b2.country = c.country
  WHERE b1.country IS NULL OR b2.country IS NULL
)
SELECT
  c.user_email,
  c.countries,
  max(c.user_name) AS user_name,
  max_by(c.meeting_id, c.join_time) AS meeting_id,
  max_by(c.meeting_uuid, c.join_time) AS meeting_uuid,
  max_by(c.ip_address, c.join_time) AS ip_address,
  max_by(c.location, c.join_time) AS to_location,
  max_by(c.prev_location, c.join_time) AS from_location,
  max_by(c.prev_ip_address, c.join_time) AS from_ip_address,
  max_by(c.prev_meeting_id, c.join_time) AS from_meeting_id,
  min(c.gap_minutes) AS min_gap_minutes,
  count(*) AS country_changes,
  min(c.prev_join_time) AS first_seen,
  max(c.join_time) AS last_seen
FROM novel c
GROUP BY c.user_email, c.countries
