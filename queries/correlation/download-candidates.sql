-- Post-meeting correlation, Correlate step: whether the operation log holds a recording entry in the recording-download
-- detection's window (zoom.recording.download_by_non_participant: its lookback before the run) that could concern this
-- meeting: one naming its meeting number, or one naming no meeting number at all (the detection then matches by
-- topic). Only then does the step run the detection's own query, which reads a month of the participant tables; a
-- meeting nobody downloaded a recording of costs one read of a day of operation logs. A superset of the entries the
-- detection's query can match to this meeting (its downloads are Recording entries, and an entry naming a number
-- matches only the meeting of that number), so skipping the query when this finds none loses no alert.
-- Parameters: :from_dt (first day partition), :from and :to (the window, ISO-8601 UTC), :meeting_id (digits).
SELECT count(*) AS candidates
FROM operation_logs ol
WHERE ol.dt >= :from_dt
  AND ol.time >= from_iso8601_timestamp(:from)
  AND ol.time < from_iso8601_timestamp(:to)
  AND lower(ol.category_type) LIKE '%recording%'
  AND (strpos(replace(coalesce(ol.operation_detail, ''), ' ', ''), :meeting_id) > 0
    OR NOT regexp_like(coalesce(ol.operation_detail, ''), '\d{3}\s?\d{3,4}\s?\d{3,5}'))
