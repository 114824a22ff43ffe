-- Users raised to an admin- or owner-level role in the last 2 days, from the admin operation log
-- ("Change Role - x@y: from Member to Admin", "Update User x@y - User Role: from Member to Admin") and from
-- user.updated webhooks whose changes carry the role. Rank: 0 member/other, 1 any *admin* role, 2 owner or co-owner;
-- a change that raises the rank to 1 or more is a finding. Every ? is the run's end time (ISO-8601 UTC).
WITH op_roles AS (
  SELECT
    o.time AS changed_at,
    lower(o.operator) AS operator,
    lower(regexp_extract(o.operation_detail, '([A-Za-z0-9._%+''-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})', 1)) AS user_email,
    trim(regexp_extract(o.operation_detail, '(?i)role[^:]*:\s*from\s+(.+?)\s+to\s+(.+?)\s*(\s-\s|$)', 1)) AS from_role,
    trim(regexp_extract(o.operation_detail, '(?i)role[^:]*:\s*from\s+(.+?)\s+to\s+(.+?)\s*(\s-\s|$)', 2)) AS to_role,
    o.operation_detail AS detail,
    'operation_logs' AS source
  FROM operation_logs o
  WHERE o.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND o.time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND o.time < from_iso8601_timestamp(?)
    AND regexp_like(o.operation_detail, '(?i)(change role|user role)')
),
-- The latest known email per user id, for user.updated events that carry only the changed fields.
directory AS (
  SELECT u.user_id, max_by(lower(u.email), u.snapshot_time) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
  GROUP BY u.user_id
),
webhook_roles AS (
  SELECT
    e.event_time AS changed_at,
    lower(e.operator) AS operator,
    coalesce(lower(nullif(e.email, '')), d.email) AS user_email,
    coalesce(json_extract_scalar(e.changes_json, '$.old_object.role'), json_extract_scalar(e.changes_json, '$.old_object.role_name')) AS from_role,
    coalesce(json_extract_scalar(e.changes_json, '$.object.role'), json_extract_scalar(e.changes_json, '$.object.role_name')) AS to_role,
    e.event || ' ' || coalesce(e.user_id, '') AS detail,
    'user_events' AS source
  FROM user_events e
  LEFT JOIN directory d ON d.user_id = e.user_id
  WHERE e.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND e.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND e.event_time < from_iso8601_timestamp(?)
    AND e.event = 'user.updated'
),
ranked AS (
  SELECT
    r.*,
    CASE WHEN regexp_like(r.from_role, '(?i)owner') THEN 2 WHEN regexp_like(r.from_role, '(?i)admin') THEN 1 ELSE 0 END AS from_rank,
    CASE WHEN regexp_like(r.to_role, '(?i)owner') THEN 2 WHEN regexp_like(r.to_role, '(?i)admin') THEN 1 ELSE 0 END AS to_rank
  FROM (SELECT * FROM op_roles UNION ALL SELECT * FROM webhook_roles) r
  WHERE r.to_role IS NOT NULL
)
SELECT
  user_email,
  operator,
  to_role,
  array_join(array_sort(array_agg(DISTINCT coalesce(from_role, '(unknown)'))), ', ') AS from_roles,
  array_join(array_sort(array_agg(DISTINCT source)), ', ') AS sources,
  array_join(array_sort(array_agg(DISTINCT detail)), ' | ') AS details,
  min(changed_at) AS first_seen,
  max(changed_at) AS last_seen
FROM ranked
WHERE to_rank >= 1 AND to_rank > from_rank
GROUP BY user_email, operator, to_role
