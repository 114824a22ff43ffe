-- Post-meeting correlation, Correlate step: the host's rows in the configured data-access table
-- (config correlation.dataAccess) in the window after the meeting, on resources the host had not read in the
-- baseline before the meeting (parameter baseline_days): an account manager who opens the price book after every
-- customer call is doing their job; a host who opens payroll for the first time right after a call with outsiders
-- is the pattern. The identifiers in braces are the configured table and columns (lower-case SQL identifiers,
-- checked before they are put in); the user column is matched on its last `/`- or `:`-separated part, so an email
-- and an assumed-role ARN ending in the email both match; the time column may be a timestamp or ISO-8601 text
-- (CloudTrail's eventtime is text).
-- Parameters: :user (the host's lower-case email), :from and :to (the window, ISO-8601 UTC), :baseline_from and
-- :baseline_to (the baseline, ending when the meeting started; empty when baseline_days is 0). At most 101 rows: the
-- step keeps 100 as evidence (MAX_ACCESS_EVIDENCE) and says when there were more.
WITH host_access AS (
  SELECT CAST(a."{userColumn}" AS varchar) AS principal,
    from_iso8601_timestamp(replace(CAST(a."{timeColumn}" AS varchar), ' ', 'T')) AS access_time,
    CAST(a."{resourceColumn}" AS varchar) AS resource
  FROM "{table}" a
  WHERE lower(regexp_extract(trim(CAST(a."{userColumn}" AS varchar)), '[^/:]*$')) = :user
    AND from_iso8601_timestamp(replace(CAST(a."{timeColumn}" AS varchar), ' ', 'T')) >= from_iso8601_timestamp(:baseline_from)
    AND from_iso8601_timestamp(replace(CAST(a."{timeColumn}" AS varchar), ' ', 'T')) < from_iso8601_timestamp(:to)
),
baseline AS (
  SELECT DISTINCT resource FROM host_access WHERE access_time < from_iso8601_timestamp(:baseline_to)
)
SELECT w.principal, w.access_time, w.resource
FROM host_access w
LEFT JOIN baseline b ON b.resource = w.resource
WHERE w.access_time >= from_iso8601_timestamp(:from)
  AND b.resource IS NULL
ORDER BY w.access_time, w.resource
LIMIT 101
