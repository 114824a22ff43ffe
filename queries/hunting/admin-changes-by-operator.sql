-- Who changed account, user, meeting or recording state through webhooks, per operator and event, last 30 days.
SELECT
  operator,
  event,
  count(*) AS changes,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM webhook_events
WHERE operator IS NOT NULL
  AND dt >= date_format(date_add('day', -30, current_timestamp), '%Y-%m-%d')
GROUP BY operator, event
ORDER BY changes DESC
