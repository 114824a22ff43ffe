-- The day partitions zoom.recording.download_by_non_participant's history lookups need, run before query.sql by the
-- scheduled runner and the correlation (detectionQuery in lambdas/core/detect/run.ts), which bind from_dt and to_dt
-- to the query's :days_from and :days_to. The window's download entries are the query's own (operation_logs of the
-- last day); the meetings they can concern are the known recordings and meetings (30 days) with the meeting number
-- an entry names, or every known one when an entry names no number (the query then matches by topic): a superset of
-- what the query matches. The days are from the day before the first such row's partition through the day after
-- the last, so a meeting's early joins and a meeting running past midnight are read. NULLs when no entry or no
-- meeting matches: the query then has nothing to judge and is not run.
-- Every ? is the run's end time (ISO-8601 UTC).
WITH downloads AS (
  SELECT replace(regexp_extract(ol.operation_detail, '(\d{3}\s?\d{3,4}\s?\d{3,5})', 1), ' ', '') AS detail_meeting_id
  FROM operation_logs ol
  WHERE ol.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND ol.time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND ol.time < from_iso8601_timestamp(?)
    AND lower(ol.category_type) LIKE '%recording%'
    AND (lower(coalesce(ol.action, '')) LIKE '%download%' OR lower(coalesce(ol.operation_detail, '')) LIKE '%download%')
    AND nullif(trim(ol.operator), '') IS NOT NULL
),
known AS (
  SELECT r.dt, r.meeting_id
  FROM recordings r
  WHERE r.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND r.start_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND r.start_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT re.dt, re.meeting_id
  FROM recording_events re
  WHERE re.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND re.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND re.event_time < from_iso8601_timestamp(?)
    AND re.event = 'recording.completed'
  UNION ALL
  SELECT mt.dt, mt.meeting_id
  FROM meetings mt
  WHERE mt.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mt.start_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND mt.start_time < from_iso8601_timestamp(?)
),
concerned AS (
  SELECT k.dt
  FROM known k
  JOIN downloads d ON d.detail_meeting_id = k.meeting_id
  UNION ALL
  SELECT k.dt
  FROM known k
  CROSS JOIN (SELECT count(*) AS entries FROM downloads WHERE detail_meeting_id IS NULL) t
  WHERE t.entries > 0
)
SELECT
  date_format(date_add('day', -1, from_iso8601_date(min(c.dt))), '%Y-%m-%d') AS from_dt,
  date_format(date_add('day', 1, from_iso8601_date(max(c.dt))), '%Y-%m-%d') AS to_dt
FROM concerned c
