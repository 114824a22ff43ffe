-- From where does each person join and sign in? Per user (email, or display name for guests), last 30 days: the
-- distinct IP addresses, locations and devices seen in meeting joins (dashboard participant details and join
-- webhooks with public_ip) and sign-ins (activities), with the number of meetings. Many IPs or locations for one
-- person deserve a look.
WITH sightings AS (
  SELECT coalesce(lower(nullif(email, '')), 'guest: ' || user_name) AS person, ip_address, location, device,
         meeting_uuid, join_time AS seen_at
  FROM participant_details
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
  UNION ALL
  SELECT coalesce(lower(nullif(email, '')), 'guest: ' || user_name), public_ip, CAST(NULL AS varchar), CAST(NULL AS varchar),
         meeting_uuid, event_time
  FROM participant_events
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
    AND event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT lower(email), ip_address, CAST(NULL AS varchar), client_type, CAST(NULL AS varchar), time
  FROM activities
  WHERE dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
    AND type = 'Sign in'
)
SELECT
  person,
  count(DISTINCT nullif(ip_address, '')) AS distinct_ips,
  count(DISTINCT nullif(location, '')) AS distinct_locations,
  count(DISTINCT nullif(device, '')) AS distinct_devices,
  count(DISTINCT meeting_uuid) AS meetings,
  array_join(array_sort(array_agg(DISTINCT nullif(ip_address, ''))), ', ') AS ips,
  array_join(array_sort(array_agg(DISTINCT nullif(location, ''))), ', ') AS locations,
  array_join(array_sort(array_agg(DISTINCT nullif(device, ''))), ', ') AS devices,
  min(seen_at) AS first_seen,
  max(seen_at) AS last_seen
FROM sightings
WHERE person IS NOT NULL
  AND seen_at >= date_add('day', -30, current_timestamp)
GROUP BY person
ORDER BY distinct_ips DESC, distinct_locations DESC, person
