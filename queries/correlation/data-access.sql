-- Post-meeting correlation, Correlate step: the host's rows in the configured data-access table
-- (config correlation.dataAccess) in the window after the meeting. The identifiers in braces are the configured
-- table and columns (lower-case SQL identifiers, checked before they are put in); the user column is matched on its
-- last `/`- or `:`-separated part, so an email and an assumed-role ARN ending in the email both match; the time
-- column may be a timestamp or ISO-8601 text (CloudTrail's eventtime is text).
-- Parameters: :user (the host's lower-case email), :from and :to (ISO-8601 UTC). At most 101 rows: the step keeps
-- 100 as evidence (MAX_ACCESS_EVIDENCE) and says when there were more.
SELECT CAST(a."{userColumn}" AS varchar) AS principal,
  from_iso8601_timestamp(replace(CAST(a."{timeColumn}" AS varchar), ' ', 'T')) AS access_time,
  CAST(a."{resourceColumn}" AS varchar) AS resource
FROM "{table}" a
WHERE lower(regexp_extract(trim(CAST(a."{userColumn}" AS varchar)), '[^/:]*$')) = :user
  AND from_iso8601_timestamp(replace(CAST(a."{timeColumn}" AS varchar), ' ', 'T')) >= from_iso8601_timestamp(:from)
  AND from_iso8601_timestamp(replace(CAST(a."{timeColumn}" AS varchar), ' ', 'T')) < from_iso8601_timestamp(:to)
ORDER BY access_time, resource
LIMIT 101
