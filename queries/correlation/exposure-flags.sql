-- Post-meeting correlation, Exposure step: whether the meeting's topic matches a sensitive pattern and whether its
-- host is a watched user, from the config views. Parameters: :topic, :host_email (lower case; '' when unknown).
SELECT
  (SELECT count(*) FROM sensitive_meeting_patterns p WHERE regexp_like(:topic, p.pattern)) AS sensitive,
  (SELECT count(*) FROM watched_users w WHERE w.email = :host_email) AS watched
