-- Post-meeting correlation, Exposure step: the host's email by Zoom user id, from the latest users snapshot of the
-- window, when no participant row names it. Parameters: :users_dt (first day partition), :users_from and :users_to
-- (ISO-8601 UTC), :host_id.
SELECT lower(u.email) AS email
FROM users u
WHERE u.dt >= :users_dt AND u.snapshot_time >= from_iso8601_timestamp(:users_from) AND u.snapshot_time < from_iso8601_timestamp(:users_to)
  AND u.user_id = :host_id AND nullif(trim(u.email), '') IS NOT NULL
ORDER BY u.snapshot_time DESC
LIMIT 1
