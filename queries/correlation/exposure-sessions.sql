-- Post-meeting correlation, Exposure step: the join sessions of one meeting instance from both participant tables
-- (report API and dashboard), with whether each email's domain is internal.
-- Parameters: :from_dt and :to_dt (the instance's first and last day partition, yyyy-mm-dd), :meeting_uuid.
WITH sessions AS (
  SELECT 'meeting_participants' AS source, lower(nullif(trim(mp.user_email), '')) AS email, nullif(trim(mp.name), '') AS user_name,
    nullif(mp.zoom_user_id, '') AS zoom_user_id, nullif(mp.participant_user_id, '') AS participant_user_id,
    mp.participant_id, mp.join_time, mp.leave_time, mp.duration_seconds,
    CAST(NULL AS varchar) AS ip_address, CAST(NULL AS varchar) AS location, CAST(NULL AS varchar) AS role
  FROM meeting_participants mp
  WHERE mp.dt >= :from_dt AND mp.dt <= :to_dt AND mp.meeting_uuid = :meeting_uuid
  UNION ALL
  SELECT 'participant_details', lower(nullif(trim(pd.email), '')), nullif(trim(pd.user_name), ''),
    nullif(pd.zoom_user_id, ''), nullif(pd.participant_user_id, ''),
    pd.participant_id, pd.join_time, pd.leave_time, CAST(NULL AS integer),
    nullif(pd.ip_address, ''), nullif(pd.location, ''), pd.role
  FROM participant_details pd
  WHERE pd.dt >= :from_dt AND pd.dt <= :to_dt AND pd.meeting_uuid = :meeting_uuid
)
SELECT s.*, d.domain IS NOT NULL AS internal_domain
FROM sessions s
LEFT JOIN internal_domains d ON d.domain = split_part(s.email, '@', 2)
