-- Participants who joined without a signed-in email (guests), with the display name they chose, last 7 days.
SELECT
  json_extract_scalar(raw, '$.payload.object.topic') AS topic,
  json_extract_scalar(raw, '$.payload.object.participant.user_name') AS display_name,
  event_time
FROM webhook_events
WHERE event = 'meeting.participant_joined'
  AND coalesce(json_extract_scalar(raw, '$.payload.object.participant.email'), '') = ''
  AND dt >= date_format(date_add('day', -7, current_timestamp), '%Y-%m-%d')
ORDER BY event_time
