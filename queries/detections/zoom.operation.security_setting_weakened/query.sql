-- Account security controls switched off or loosened in the last 2 days: two-factor sign-in, sign-in password rules,
-- sign-in methods, automatic sign-out, meeting passcodes, waiting room, end-to-end encryption, meeting authentication.
-- Two sources, either collector suffices: the admin operation log (free text, matched per known wording) and
-- account.settings_updated webhooks (new vs old setting values). Every ? is the run's end time (ISO-8601 UTC).
WITH op_changes AS (
  SELECT
    o.time AS changed_at,
    lower(o.operator) AS operator,
    o.category_type AS scope,
    o.operation_detail AS change,
    CASE
      WHEN regexp_like(o.operation_detail, '(?i)two-factor authentication[^:]*:\s*from\s+on\s+to\s+off') THEN 'two_factor_auth'
      WHEN regexp_like(o.operation_detail, '(?i)sign-in password requirement.*from\s+on\s+to\s+off') THEN 'sign_in_password_requirement'
      WHEN CAST(regexp_extract(o.operation_detail, '(?i)length of characters:\s*from\s+(\d+)\s+to\s+(\d+)', 2) AS integer)
         < CAST(regexp_extract(o.operation_detail, '(?i)length of characters:\s*from\s+(\d+)\s+to\s+(\d+)', 1) AS integer)
        THEN 'sign_in_password_requirement'
      WHEN regexp_like(o.operation_detail, '(?i)only allow users to sign in with sso[^:]*:\s*from\s+on\s+to\s+off') THEN 'sso_only_sign_in'
      WHEN regexp_like(o.operation_detail, '(?i)allow users to sign in with [^:]*:\s*from\s+off\s+to\s+on')
        AND NOT regexp_like(o.operation_detail, '(?i)only allow users to sign in with') THEN 'sign_in_method_added'
      WHEN regexp_like(o.operation_detail, '(?i)automatically sign users out[^:]*:\s*from\s+on\s+to\s+off') THEN 'auto_sign_out'
      WHEN regexp_like(o.operation_detail, '(?i)secured with one security option[^:]*:\s*from\s+on\s+to\s+off') THEN 'secure_all_meetings'
      WHEN regexp_like(o.operation_detail, '(?i)embed (passcode|password)[^:]*:\s*from\s+off\s+to\s+on') THEN 'passcode_in_link'
      WHEN regexp_like(o.operation_detail, '(?i)(passcode|password)[^:]*:\s*from\s+on\s+to\s+off')
        AND NOT regexp_like(o.operation_detail, '(?i)embed (passcode|password)[^:]*:\s*from\s+on\s+to\s+off') THEN 'meeting_passcode'
      WHEN regexp_like(o.operation_detail, '(?i)waiting room[^:]*:\s*from\s+on\s+to\s+off') THEN 'waiting_room'
      WHEN regexp_like(o.operation_detail, '(?i)end-to-end encr[^:]*:\s*from\s+on\s+to\s+off') THEN 'e2e_encryption'
      WHEN regexp_like(o.operation_detail, '(?i)only authenticated users can join[^:]*:\s*from\s+on\s+to\s+off') THEN 'meeting_authentication'
    END AS setting
  FROM operation_logs o
  WHERE o.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND o.time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND o.time < from_iso8601_timestamp(?)
    AND o.operation_detail IS NOT NULL
),
-- Account settings (Zoom account settings API names) whose change in the stated direction weakens the account:
-- off = protective switch turned false, on = risky switch turned true, none = mode set to none, lower = number lowered.
watched_settings AS (
  SELECT path, setting, weak_when FROM (VALUES
    ('in_meeting.e2e_encryption', 'e2e_encryption', 'off'),
    ('meeting_security.end_to_end_encrypted_meetings', 'e2e_encryption', 'off'),
    ('in_meeting.waiting_room', 'waiting_room', 'off'),
    ('meeting_security.waiting_room', 'waiting_room', 'off'),
    ('meeting_security.auto_security', 'secure_all_meetings', 'off'),
    ('meeting_security.meeting_password', 'meeting_passcode', 'off'),
    ('schedule_meeting.require_password_for_scheduling_new_meetings', 'meeting_passcode', 'off'),
    ('schedule_meeting.require_password_for_scheduled_meetings', 'meeting_passcode', 'off'),
    ('schedule_meeting.require_password_for_instant_meetings', 'meeting_passcode', 'off'),
    ('schedule_meeting.require_password_for_pmi_meetings', 'meeting_passcode', 'none'),
    ('schedule_meeting.embed_password_in_join_link', 'passcode_in_link', 'on'),
    ('meeting_security.embed_password_in_join_link', 'passcode_in_link', 'on'),
    ('schedule_meeting.enforce_login', 'meeting_authentication', 'off'),
    ('schedule_meeting.enforce_login_with_domains', 'meeting_authentication', 'off'),
    ('security.sign_in_with_two_factor_auth', 'two_factor_auth', 'none'),
    ('security.password_requirement.minimum_password_length', 'sign_in_password_requirement', 'lower'),
    ('security.password_requirement.have_letter', 'sign_in_password_requirement', 'off'),
    ('security.password_requirement.have_number', 'sign_in_password_requirement', 'off'),
    ('security.password_requirement.have_special_character', 'sign_in_password_requirement', 'off'),
    ('security.password_requirement.have_upper_and_lower_characters', 'sign_in_password_requirement', 'off')
  ) AS t (path, setting, weak_when)
),
setting_values AS (
  SELECT
    a.event_time AS changed_at,
    lower(a.operator) AS operator,
    s.path,
    s.setting,
    s.weak_when,
    -- One constant JSON path per setting: Trino parses json_extract_scalar paths when it plans the query.
    lower(
      CASE s.path
        WHEN 'in_meeting.e2e_encryption' THEN json_extract_scalar(a.settings_json, '$.in_meeting.e2e_encryption')
        WHEN 'meeting_security.end_to_end_encrypted_meetings' THEN json_extract_scalar(a.settings_json, '$.meeting_security.end_to_end_encrypted_meetings')
        WHEN 'in_meeting.waiting_room' THEN json_extract_scalar(a.settings_json, '$.in_meeting.waiting_room')
        WHEN 'meeting_security.waiting_room' THEN json_extract_scalar(a.settings_json, '$.meeting_security.waiting_room')
        WHEN 'meeting_security.auto_security' THEN json_extract_scalar(a.settings_json, '$.meeting_security.auto_security')
        WHEN 'meeting_security.meeting_password' THEN json_extract_scalar(a.settings_json, '$.meeting_security.meeting_password')
        WHEN 'schedule_meeting.require_password_for_scheduling_new_meetings' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.require_password_for_scheduling_new_meetings')
        WHEN 'schedule_meeting.require_password_for_scheduled_meetings' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.require_password_for_scheduled_meetings')
        WHEN 'schedule_meeting.require_password_for_instant_meetings' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.require_password_for_instant_meetings')
        WHEN 'schedule_meeting.require_password_for_pmi_meetings' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.require_password_for_pmi_meetings')
        WHEN 'schedule_meeting.embed_password_in_join_link' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.embed_password_in_join_link')
        WHEN 'meeting_security.embed_password_in_join_link' THEN json_extract_scalar(a.settings_json, '$.meeting_security.embed_password_in_join_link')
        WHEN 'schedule_meeting.enforce_login' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.enforce_login')
        WHEN 'schedule_meeting.enforce_login_with_domains' THEN json_extract_scalar(a.settings_json, '$.schedule_meeting.enforce_login_with_domains')
        WHEN 'security.sign_in_with_two_factor_auth' THEN json_extract_scalar(a.settings_json, '$.security.sign_in_with_two_factor_auth')
        WHEN 'security.password_requirement.minimum_password_length' THEN json_extract_scalar(a.settings_json, '$.security.password_requirement.minimum_password_length')
        WHEN 'security.password_requirement.have_letter' THEN json_extract_scalar(a.settings_json, '$.security.password_requirement.have_letter')
        WHEN 'security.password_requirement.have_number' THEN json_extract_scalar(a.settings_json, '$.security.password_requirement.have_number')
        WHEN 'security.password_requirement.have_special_character' THEN json_extract_scalar(a.settings_json, '$.security.password_requirement.have_special_character')
        WHEN 'security.password_requirement.have_upper_and_lower_characters' THEN json_extract_scalar(a.settings_json, '$.security.password_requirement.have_upper_and_lower_characters')
      END
    ) AS new_value,
    lower(
      CASE s.path
        WHEN 'in_meeting.e2e_encryption' THEN json_extract_scalar(a.old_settings_json, '$.in_meeting.e2e_encryption')
        WHEN 'meeting_security.end_to_end_encrypted_meetings' THEN json_extract_scalar(a.old_settings_json, '$.meeting_security.end_to_end_encrypted_meetings')
        WHEN 'in_meeting.waiting_room' THEN json_extract_scalar(a.old_settings_json, '$.in_meeting.waiting_room')
        WHEN 'meeting_security.waiting_room' THEN json_extract_scalar(a.old_settings_json, '$.meeting_security.waiting_room')
        WHEN 'meeting_security.auto_security' THEN json_extract_scalar(a.old_settings_json, '$.meeting_security.auto_security')
        WHEN 'meeting_security.meeting_password' THEN json_extract_scalar(a.old_settings_json, '$.meeting_security.meeting_password')
        WHEN 'schedule_meeting.require_password_for_scheduling_new_meetings' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.require_password_for_scheduling_new_meetings')
        WHEN 'schedule_meeting.require_password_for_scheduled_meetings' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.require_password_for_scheduled_meetings')
        WHEN 'schedule_meeting.require_password_for_instant_meetings' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.require_password_for_instant_meetings')
        WHEN 'schedule_meeting.require_password_for_pmi_meetings' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.require_password_for_pmi_meetings')
        WHEN 'schedule_meeting.embed_password_in_join_link' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.embed_password_in_join_link')
        WHEN 'meeting_security.embed_password_in_join_link' THEN json_extract_scalar(a.old_settings_json, '$.meeting_security.embed_password_in_join_link')
        WHEN 'schedule_meeting.enforce_login' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.enforce_login')
        WHEN 'schedule_meeting.enforce_login_with_domains' THEN json_extract_scalar(a.old_settings_json, '$.schedule_meeting.enforce_login_with_domains')
        WHEN 'security.sign_in_with_two_factor_auth' THEN json_extract_scalar(a.old_settings_json, '$.security.sign_in_with_two_factor_auth')
        WHEN 'security.password_requirement.minimum_password_length' THEN json_extract_scalar(a.old_settings_json, '$.security.password_requirement.minimum_password_length')
        WHEN 'security.password_requirement.have_letter' THEN json_extract_scalar(a.old_settings_json, '$.security.password_requirement.have_letter')
        WHEN 'security.password_requirement.have_number' THEN json_extract_scalar(a.old_settings_json, '$.security.password_requirement.have_number')
        WHEN 'security.password_requirement.have_special_character' THEN json_extract_scalar(a.old_settings_json, '$.security.password_requirement.have_special_character')
        WHEN 'security.password_requirement.have_upper_and_lower_characters' THEN json_extract_scalar(a.old_settings_json, '$.security.password_requirement.have_upper_and_lower_characters')
      END
    ) AS old_value
  FROM account_events a
  CROSS JOIN watched_settings s
  WHERE a.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND a.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND a.event_time < from_iso8601_timestamp(?)
    AND a.event = 'account.settings_updated'
),
-- Zoom sends only the changed settings, so a weak new value with no old value (old_object absent) still counts.
webhook_changes AS (
  SELECT
    changed_at,
    operator,
    'Account' AS scope,
    path || ': ' || coalesce(old_value, '(not sent)') || ' -> ' || new_value AS change,
    setting
  FROM setting_values
  WHERE (weak_when = 'off' AND new_value = 'false' AND coalesce(old_value, '') <> 'false')
     OR (weak_when = 'on' AND new_value = 'true' AND coalesce(old_value, '') <> 'true')
     OR (weak_when = 'none' AND new_value = 'none' AND coalesce(old_value, '') <> 'none')
     OR (weak_when = 'lower' AND try_cast(new_value AS integer) < try_cast(old_value AS integer))
),
changes AS (
  SELECT changed_at, operator, scope, change, setting, 'operation_logs' AS source FROM op_changes WHERE setting IS NOT NULL
  UNION ALL
  SELECT changed_at, operator, scope, change, setting, 'account_events' AS source FROM webhook_changes
)
SELECT
  operator,
  setting,
  count(*) AS changes,
  array_join(array_sort(array_agg(DISTINCT source)), ', ') AS sources,
  array_join(array_sort(array_agg(DISTINCT scope)), ', ') AS scopes,
  array_join(array_sort(array_agg(DISTINCT change)), ' | ') AS details,
  min(changed_at) AS first_seen,
  max(changed_at) AS last_seen
FROM changes
GROUP BY operator, setting
