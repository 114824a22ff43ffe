-- Account lifecycle changes of the last 2 days, one row per finding (`finding` is the dedup key):
--   user_created / user_deleted: accounts created or deleted by an operator who did neither in the baseline_days
--     before, or by a usual operator on a day with min_volume or more, above volume_factor times their busiest
--     baseline day; one row per operator and kind, the first account as user_email, all of them in `accounts`.
--     Sources: the admin operation log ("Add User x", "Delete User x", "delete user - x") and user.created/deleted
--     webhooks; one account seen by both counts once. No operator (SSO just-in-time creation) or an operation-log
--     action naming SCIM is provisioning, never a finding.
--   group_admin_added: every admin of a group.admin_added webhook.
--   login_domains_added: domains added to schedule_meeting.enforce_login_domains (account or group settings), unless
--     the same event switches enforce_login_with_domains off (zoom.operation.security_setting_weakened raises that).
--   guest_join_alert_disabled: in_meeting.alert_guest_join set to false (account or group settings).
--   information_barrier_changed: a policy created or deleted, or updated to something different.
-- The dt bounds cover the largest baseline (60 days) plus the 2 judged days. Every ? is the run's end time.
WITH params AS (
  SELECT
    max(CASE WHEN name = 'baseline_days' THEN value END) AS baseline_days,
    max(CASE WHEN name = 'volume_factor' THEN value END) AS volume_factor,
    max(CASE WHEN name = 'min_volume' THEN value END) AS min_volume
  FROM detection_parameters
  WHERE detection_id = 'zoom.operation.account_lifecycle'
),
-- The latest known email per user id: user.deleted may carry only the id.
directory AS (
  SELECT u.user_id, max_by(lower(u.email), u.snapshot_time) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND u.snapshot_time < from_iso8601_timestamp(?)
  GROUP BY u.user_id
),
account_changes AS (
  SELECT
    o.time AS changed_at,
    lower(nullif(trim(o.operator), '')) AS operator,
    CASE WHEN regexp_like(o.operation_detail, '(?i)^\s*add\s+user\b') THEN 'user_created' ELSE 'user_deleted' END AS change,
    lower(regexp_extract(o.operation_detail, '([A-Za-z0-9._%+''-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})', 1)) AS subject,
    regexp_like(coalesce(o.action, ''), '(?i)\bscim\b') AS provisioned,
    'operation_logs' AS source
  FROM operation_logs o
  WHERE o.dt BETWEEN date_format(date_add('day', -62, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND o.time >= date_add('day', -62, from_iso8601_timestamp(?))
    AND o.time < from_iso8601_timestamp(?)
    AND regexp_like(coalesce(o.category_type, ''), '(?i)^user')
    AND regexp_like(coalesce(o.operation_detail, ''), '(?i)^\s*(add|delete)\s+user\b')
  UNION ALL
  SELECT
    e.event_time,
    lower(nullif(trim(e.operator), '')),
    CASE WHEN e.event = 'user.created' THEN 'user_created' ELSE 'user_deleted' END,
    coalesce(lower(nullif(trim(e.email), '')), d.email, 'id:' || e.user_id),
    false,
    'user_events'
  FROM user_events e
  LEFT JOIN directory d ON d.user_id = e.user_id
  WHERE e.dt BETWEEN date_format(date_add('day', -62, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND e.event_time >= date_add('day', -62, from_iso8601_timestamp(?))
    AND e.event_time < from_iso8601_timestamp(?)
    AND e.event IN ('user.created', 'user.deleted')
),
-- An account any source shows as provisioned (SCIM) is provisioning in every source.
provisioned AS (
  SELECT change, subject FROM account_changes WHERE provisioned AND subject IS NOT NULL GROUP BY change, subject
),
by_operator AS (
  SELECT a.*
  FROM account_changes a
  LEFT JOIN provisioned p ON p.change = a.change AND p.subject = a.subject
  WHERE a.operator IS NOT NULL AND a.subject IS NOT NULL AND p.subject IS NULL
),
-- Each operator's baseline: accounts created or deleted per day in the baseline_days before the judged 2 days.
baseline_days AS (
  SELECT b.operator, date_trunc('day', b.changed_at) AS day, count(DISTINCT b.change || ' ' || b.subject) AS accounts
  FROM by_operator b
  CROSS JOIN params p
  WHERE b.changed_at >= date_add('day', -2 - p.baseline_days, from_iso8601_timestamp(?))
    AND b.changed_at < date_add('day', -2, from_iso8601_timestamp(?))
  GROUP BY b.operator, date_trunc('day', b.changed_at)
),
usual AS (
  SELECT operator, count(*) AS active_days, max(accounts) AS busiest_day FROM baseline_days GROUP BY operator
),
judged AS (
  SELECT b.operator, b.change, b.subject, min(b.changed_at) AS changed_at, max(b.changed_at) AS last_at,
    array_join(array_sort(array_agg(DISTINCT b.source)), ', ') AS sources
  FROM by_operator b
  WHERE b.changed_at >= date_add('day', -2, from_iso8601_timestamp(?))
    AND b.changed_at < from_iso8601_timestamp(?)
  GROUP BY b.operator, b.change, b.subject
),
judged_days AS (
  SELECT operator, change, max(accounts) AS busiest_day
  FROM (SELECT operator, change, date_trunc('day', changed_at) AS day, count(*) AS accounts FROM judged GROUP BY 1, 2, 3) d
  GROUP BY operator, change
),
account_findings AS (
  SELECT
    j.change,
    j.change || ':' || j.operator AS finding,
    j.operator,
    min_by(j.subject, j.changed_at) AS user_email,
    CAST(NULL AS varchar) AS target,
    array_join(array_sort(array_agg(j.subject)), ', ') AS accounts,
    CASE
      WHEN max(u.operator) IS NULL THEN 'no account created or deleted by this operator in the baseline'
      ELSE 'up to ' || CAST(max(jd.busiest_day) AS varchar) || ' in one day; busiest baseline day ' || CAST(max(u.busiest_day) AS varchar)
    END AS reason,
    CAST(count(*) AS varchar) || ' account(s) ' || (CASE WHEN j.change = 'user_created' THEN 'created' ELSE 'deleted' END) AS details,
    array_join(array_sort(array_agg(DISTINCT j.sources)), '; ') AS sources,
    min(j.changed_at) AS first_seen,
    max(j.last_at) AS last_seen
  FROM judged j
  JOIN judged_days jd ON jd.operator = j.operator AND jd.change = j.change
  LEFT JOIN usual u ON u.operator = j.operator
  CROSS JOIN params p
  WHERE u.operator IS NULL OR (jd.busiest_day >= p.min_volume AND jd.busiest_day > p.volume_factor * u.busiest_day)
  GROUP BY j.change, j.operator
),
recent_account_events AS (
  SELECT a.event_time, lower(nullif(trim(a.operator), '')) AS operator, a.event, a.object_id, a.settings_json, a.old_settings_json
  FROM account_events a
  WHERE a.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND a.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND a.event_time < from_iso8601_timestamp(?)
),
-- group.admin_added keeps the group object whole: {"admins":[{"id":..,"email":..}, ...]}; one row per admin.
group_admins AS (
  SELECT
    'group_admin_added' AS change,
    'group_admin_added:' || coalesce(a.object_id, '') || ':' || coalesce(lower(json_extract_scalar(g.admin, '$.email')), json_extract_scalar(g.admin, '$.id'), '') AS finding,
    a.operator,
    lower(json_extract_scalar(g.admin, '$.email')) AS user_email,
    a.object_id AS target,
    CAST(NULL AS varchar) AS accounts,
    'added as admin of a group' AS reason,
    'group ' || coalesce(a.object_id, '(unknown)') || ': admin ' || coalesce(lower(json_extract_scalar(g.admin, '$.email')), json_extract_scalar(g.admin, '$.id'), '(unknown)') || ' added' AS details,
    'account_events' AS sources,
    a.event_time AS first_seen,
    a.event_time AS last_seen
  FROM recent_account_events a
  CROSS JOIN UNNEST(regexp_extract_all(coalesce(a.settings_json, ''), '\{[^{}]*\}')) AS g (admin)
  WHERE a.event = 'group.admin_added'
),
-- Account settings events carry the settings; group settings events the group object ({"settings": ...}).
settings AS (
  SELECT
    a.event_time, a.operator, a.event, a.object_id,
    lower(coalesce(json_extract_scalar(a.settings_json, '$.in_meeting.alert_guest_join'),
      json_extract_scalar(a.settings_json, '$.settings.in_meeting.alert_guest_join'))) AS guest_alert,
    lower(json_extract_scalar(a.old_settings_json, '$.in_meeting.alert_guest_join')) AS old_guest_alert,
    lower(coalesce(json_extract_scalar(a.settings_json, '$.schedule_meeting.enforce_login_domains'),
      json_extract_scalar(a.settings_json, '$.settings.schedule_meeting.enforce_login_domains'))) AS domains,
    lower(coalesce(json_extract_scalar(a.old_settings_json, '$.schedule_meeting.enforce_login_domains'), '')) AS old_domains,
    lower(coalesce(json_extract_scalar(a.settings_json, '$.schedule_meeting.enforce_login_with_domains'),
      json_extract_scalar(a.settings_json, '$.settings.schedule_meeting.enforce_login_with_domains'))) AS domains_enforced,
    lower(json_extract_scalar(a.old_settings_json, '$.schedule_meeting.enforce_login_with_domains')) AS old_domains_enforced
  FROM recent_account_events a
  WHERE a.event IN ('account.settings_updated', 'group.settings_updated')
),
guest_alerts AS (
  SELECT
    'guest_join_alert_disabled' AS change,
    'guest_join_alert_disabled:' || coalesce(s.object_id, 'account') || ':' || coalesce(s.operator, '') AS finding,
    s.operator,
    CAST(NULL AS varchar) AS user_email,
    coalesce(s.object_id, 'account') AS target,
    CAST(NULL AS varchar) AS accounts,
    'guests are no longer identified in meetings' AS reason,
    (CASE WHEN s.object_id IS NULL THEN 'account' ELSE 'group ' || s.object_id END) || ': in_meeting.alert_guest_join '
      || coalesce(s.old_guest_alert, '(not sent)') || ' -> false' AS details,
    'account_events' AS sources,
    s.event_time AS first_seen,
    s.event_time AS last_seen
  FROM settings s
  WHERE s.guest_alert = 'false' AND coalesce(s.old_guest_alert, '') <> 'false'
),
-- Domains in the new list that the old list lacks (Zoom may send no old value: then every domain is new). An event
-- that switches the restriction on with its first list tightens access, and one that switches it off is
-- zoom.operation.security_setting_weakened's finding: neither counts.
added_domains AS (
  SELECT s.event_time, s.operator, s.object_id, d.domain
  FROM settings s
  CROSS JOIN UNNEST(regexp_extract_all(coalesce(s.domains, ''), '[a-z0-9.-]+\.[a-z]{2,}')) AS d (domain)
  WHERE s.domains IS NOT NULL
    AND coalesce(s.domains_enforced, '') <> 'false'
    AND NOT (coalesce(s.domains_enforced, '') = 'true' AND coalesce(s.old_domains_enforced, '') <> 'true')
    AND strpos(',' || array_join(regexp_extract_all(s.old_domains, '[a-z0-9.-]+\.[a-z]{2,}'), ',') || ',', ',' || d.domain || ',') = 0
),
login_domains AS (
  SELECT
    'login_domains_added' AS change,
    'login_domains_added:' || coalesce(object_id, 'account') || ':' || coalesce(operator, '') AS finding,
    operator,
    CAST(NULL AS varchar) AS user_email,
    coalesce(object_id, 'account') AS target,
    CAST(NULL AS varchar) AS accounts,
    'signed-in users of these domains may now join meetings restricted to listed domains' AS reason,
    (CASE WHEN object_id IS NULL THEN 'account' ELSE 'group ' || object_id END) || ': schedule_meeting.enforce_login_domains + '
      || array_join(array_sort(array_agg(DISTINCT domain)), ', ') AS details,
    'account_events' AS sources,
    min(event_time) AS first_seen,
    max(event_time) AS last_seen
  FROM added_domains
  GROUP BY object_id, operator
),
-- information_barriers.* keep the policy whole; an update carries new_policy and old_policy.
barrier_events AS (
  SELECT
    a.event_time, a.operator, a.event, a.object_id,
    coalesce(json_extract_scalar(a.settings_json, '$.policy_name'), json_extract_scalar(a.settings_json, '$.new_policy.policy_name')) AS policy_name,
    coalesce(json_extract_scalar(a.settings_json, '$.new_policy.assigned_group_id'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.to_group_id'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.policy_name'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.type'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.status'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.meeting'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.screen_share'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.file_transfer'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.in_meeting_chat'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.im'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.recording'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.complete_phone_calls'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.new_policy.settings.message_via_sms'), '') AS new_policy,
    coalesce(json_extract_scalar(a.settings_json, '$.old_policy.assigned_group_id'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.to_group_id'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.policy_name'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.type'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.status'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.meeting'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.screen_share'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.file_transfer'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.in_meeting_chat'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.im'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.recording'), '') || '|' || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.complete_phone_calls'), '') || '|'
      || coalesce(json_extract_scalar(a.settings_json, '$.old_policy.settings.message_via_sms'), '') AS old_policy
  FROM recent_account_events a
  WHERE a.event IN ('information_barriers.policy_created', 'information_barriers.policy_updated', 'information_barriers.policy_deleted')
),
barriers AS (
  SELECT
    'information_barrier_changed' AS change,
    'information_barrier_changed:' || coalesce(object_id, '') AS finding,
    max(operator) AS operator,
    CAST(NULL AS varchar) AS user_email,
    object_id AS target,
    CAST(NULL AS varchar) AS accounts,
    'who may meet, chat or share files with whom changed' AS reason,
    'policy ' || coalesce(max(policy_name), object_id, '(unknown)') || ': '
      || array_join(array_sort(array_agg(DISTINCT regexp_extract(event, 'policy_(created|updated|deleted)$', 1))), ', ') AS details,
    'account_events' AS sources,
    min(event_time) AS first_seen,
    max(event_time) AS last_seen
  FROM barrier_events
  WHERE event <> 'information_barriers.policy_updated' OR new_policy <> old_policy
  GROUP BY object_id
)
SELECT change, finding, operator, user_email, target, accounts, reason, details, sources, first_seen, last_seen FROM account_findings
UNION ALL
SELECT change, finding, operator, user_email, target, accounts, reason, details, sources, first_seen, last_seen FROM group_admins
UNION ALL
SELECT change, finding, operator, user_email, target, accounts, reason, details, sources, first_seen, last_seen FROM guest_alerts
UNION ALL
SELECT change, finding, operator, user_email, target, accounts, reason, details, sources, first_seen, last_seen FROM login_domains
UNION ALL
SELECT change, finding, operator, user_email, target, accounts, reason, details, sources, first_seen, last_seen FROM barriers
