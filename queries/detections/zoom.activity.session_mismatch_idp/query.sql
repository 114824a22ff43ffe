-- A Zoom sign-in or meeting join (with an IP) by a user from another network and another country than every
-- identity-provider session the user had at that moment: their successful sign-ins in idp_signins (config identity)
-- within session_window_minutes before the Zoom event or skew_minutes after it. Networks are IPv4 /24s and IPv6 /64s.
-- Countries are ISO 3166-1 alpha-2: the Zoom side's is Zoom's location for a join (dashboard API), else the country
-- the IdP gave any sign-in from that network; an unknown country never matches. Not flagged: no successful IdP
-- sign-in in the window (no evidence), a concurrent session on the same network or in the same country, or a network
-- the user signed in to the IdP from in the known_network_days before. Zoom events are read for one day ending
-- idp_delay_minutes before the run, so late IdP rows are in. Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT
    max(CASE WHEN name = 'session_window_minutes' THEN value END) AS session_window_minutes,
    max(CASE WHEN name = 'skew_minutes' THEN value END) AS skew_minutes,
    max(CASE WHEN name = 'known_network_days' THEN value END) AS known_network_days,
    max(CASE WHEN name = 'idp_delay_minutes' THEN value END) AS idp_delay_minutes
  FROM detection_parameters
  WHERE detection_id = 'zoom.activity.session_mismatch_idp'
),
bounds AS (
  SELECT
    p.session_window_minutes,
    p.skew_minutes,
    p.known_network_days,
    date_add('minute', -(1440 + p.idp_delay_minutes), from_iso8601_timestamp(?)) AS zoom_from,
    date_add('minute', -p.idp_delay_minutes, from_iso8601_timestamp(?)) AS zoom_to
  FROM params p
),
zoom_events AS (
  SELECT
    lower(trim(a.email)) AS user_email,
    a.time AS event_time,
    trim(a.ip_address) AS ip_address,
    CAST(NULL AS varchar) AS location,
    'sign_in' AS zoom_event,
    CAST(NULL AS varchar) AS meeting_id,
    CAST(NULL AS varchar) AS meeting_uuid,
    a.client_type AS client
  FROM activities a
  CROSS JOIN bounds b
  WHERE a.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND a.time >= b.zoom_from
    AND a.time < b.zoom_to
    AND a.type = 'Sign in'
    AND nullif(trim(a.email), '') IS NOT NULL
    AND nullif(trim(a.ip_address), '') IS NOT NULL
  UNION ALL
  SELECT
    lower(trim(pd.email)),
    pd.join_time,
    trim(pd.ip_address),
    nullif(trim(pd.location), ''),
    'join',
    pd.meeting_id,
    pd.meeting_uuid,
    pd.device
  FROM participant_details pd
  CROSS JOIN bounds b
  WHERE pd.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= b.zoom_from
    AND pd.join_time < b.zoom_to
    AND nullif(trim(pd.email), '') IS NOT NULL
    AND nullif(trim(pd.ip_address), '') IS NOT NULL
  UNION ALL
  SELECT
    lower(trim(pe.email)),
    pe.event_time,
    trim(pe.public_ip),
    CAST(NULL AS varchar),
    'join',
    pe.meeting_id,
    pe.meeting_uuid,
    CAST(NULL AS varchar)
  FROM participant_events pe
  CROSS JOIN bounds b
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= b.zoom_from
    AND pe.event_time < b.zoom_to
    AND pe.event = 'meeting.participant_joined'
    AND nullif(trim(pe.email), '') IS NOT NULL
    AND nullif(trim(pe.public_ip), '') IS NOT NULL
),
zoom AS (
  SELECT
    z.*,
    coalesce(
      regexp_extract(z.ip_address, '^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$', 1),
      regexp_extract(lower(z.ip_address), '^([0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}):', 1),
      lower(z.ip_address)) AS network,
    -- Zoom writes 'San Jose (US)', sometimes only the country's name.
    coalesce(coded.code, named.code) AS location_country
  FROM zoom_events z
  LEFT JOIN country_codes coded ON coded.name = upper(regexp_extract(z.location, '\(([A-Za-z]{2})\)\s*$', 1))
  LEFT JOIN country_codes named ON named.name = upper(z.location)
),
idp AS (
  SELECT
    s.user_email,
    s.event_time,
    s.ip_address,
    s.country,
    s.succeeded,
    s.provider,
    s.session_id,
    coalesce(
      regexp_extract(s.ip_address, '^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$', 1),
      regexp_extract(lower(s.ip_address), '^([0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}):', 1),
      lower(s.ip_address)) AS network
  FROM idp_signins s
  CROSS JOIN bounds b
  WHERE s.event_time >= date_add('day', -b.known_network_days, date_add('minute', -b.session_window_minutes, b.zoom_from))
    AND s.event_time <= date_add('minute', b.skew_minutes, b.zoom_to)
    AND s.user_email IS NOT NULL
    AND s.ip_address IS NOT NULL
),
-- Where the IdP places each network, from its latest sign-in (any user, any outcome) with a country.
network_countries AS (
  SELECT network, country
  FROM (
    SELECT network, country, row_number() OVER (PARTITION BY network ORDER BY event_time DESC, country) AS rn
    FROM idp
    WHERE country IS NOT NULL
  ) r
  WHERE rn = 1
),
concurrent AS (
  SELECT
    z.user_email, z.event_time, z.ip_address, z.network, z.zoom_event, z.meeting_id, z.meeting_uuid, z.client,
    coalesce(z.location_country, nc.country) AS zoom_country,
    i.event_time AS idp_time, i.ip_address AS idp_ip, i.network AS idp_network, i.country AS idp_country,
    i.provider AS idp_provider, i.session_id AS idp_session_id
  FROM zoom z
  CROSS JOIN bounds b
  JOIN idp i
    ON i.user_email = z.user_email
    AND i.succeeded
    AND i.event_time >= date_add('minute', -b.session_window_minutes, z.event_time)
    AND i.event_time <= date_add('minute', b.skew_minutes, z.event_time)
  LEFT JOIN network_countries nc ON nc.network = z.network
),
-- Zoom events on a network the user signed in to the IdP from recently: their own (home, office, VPN, carrier).
known AS (
  SELECT DISTINCT z.user_email, z.event_time, z.ip_address
  FROM zoom z
  CROSS JOIN bounds b
  JOIN idp i
    ON i.user_email = z.user_email
    AND i.succeeded
    AND i.network = z.network
    AND i.event_time >= date_add('day', -b.known_network_days, z.event_time)
    AND i.event_time <= date_add('minute', b.skew_minutes, z.event_time)
),
ranked AS (
  SELECT
    c.*,
    row_number() OVER (
      PARTITION BY c.user_email, c.event_time, c.ip_address, c.zoom_event, c.meeting_uuid
      ORDER BY c.idp_time DESC, c.idp_ip
    ) AS session_rank
  FROM concurrent c
),
judged AS (
  SELECT
    r.user_email, r.event_time, r.ip_address, r.zoom_event, r.meeting_id, r.meeting_uuid, r.client, r.zoom_country,
    max(CASE WHEN r.idp_network = r.network THEN 1 ELSE 0 END) AS same_network,
    max(CASE WHEN r.idp_country = r.zoom_country THEN 1 ELSE 0 END) AS same_country,
    count(*) AS idp_sessions,
    max(CASE WHEN r.session_rank = 1 THEN r.idp_ip END) AS idp_ip,
    max(CASE WHEN r.session_rank = 1 THEN r.idp_country END) AS idp_country,
    max(CASE WHEN r.session_rank = 1 THEN r.idp_time END) AS idp_time,
    max(CASE WHEN r.session_rank = 1 THEN r.idp_provider END) AS idp_provider,
    max(CASE WHEN r.session_rank = 1 THEN r.idp_session_id END) AS idp_session_id
  FROM ranked r
  GROUP BY r.user_email, r.event_time, r.ip_address, r.zoom_event, r.meeting_id, r.meeting_uuid, r.client, r.zoom_country
),
flagged AS (
  SELECT
    j.*,
    row_number() OVER (PARTITION BY j.user_email, j.ip_address ORDER BY j.event_time DESC, j.zoom_event, j.meeting_uuid) AS latest,
    row_number() OVER (
      PARTITION BY j.user_email, j.ip_address
      ORDER BY CASE WHEN j.meeting_uuid IS NULL THEN 1 ELSE 0 END, j.event_time DESC, j.meeting_uuid
    ) AS latest_meeting
  FROM judged j
  LEFT JOIN known k ON k.user_email = j.user_email AND k.event_time = j.event_time AND k.ip_address = j.ip_address
  WHERE j.same_network = 0
    AND j.same_country = 0
    AND k.user_email IS NULL
)
SELECT
  f.user_email,
  f.ip_address,
  max(CASE WHEN f.latest_meeting = 1 THEN f.meeting_id END) AS meeting_id,
  max(CASE WHEN f.latest_meeting = 1 THEN f.meeting_uuid END) AS meeting_uuid,
  array_join(array_agg(DISTINCT f.zoom_event), ', ') AS zoom_events,
  array_join(array_agg(DISTINCT f.client) FILTER (WHERE f.client IS NOT NULL), ', ') AS zoom_clients,
  max(CASE WHEN f.latest = 1 THEN f.zoom_country END) AS zoom_country,
  max(CASE WHEN f.latest = 1 THEN f.idp_ip END) AS idp_ip_address,
  max(CASE WHEN f.latest = 1 THEN f.idp_country END) AS idp_country,
  max(CASE WHEN f.latest = 1 THEN f.idp_time END) AS idp_signed_in_at,
  max(CASE WHEN f.latest = 1 THEN f.idp_provider END) AS idp_provider,
  max(CASE WHEN f.latest = 1 THEN f.idp_session_id END) AS idp_session_id,
  max(f.idp_sessions) AS idp_sessions,
  count(*) AS zoom_event_count,
  min(f.event_time) AS first_seen,
  max(f.event_time) AS last_seen
FROM flagged f
GROUP BY f.user_email, f.ip_address
