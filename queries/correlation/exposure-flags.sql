-- Post-meeting correlation, Exposure step: whether the meeting's topic matches a sensitive pattern and whether its
-- host is a watched user, from the config views. Parameters: :topic, :host_email (lower case; '' when unknown).
SELECT s.sensitive, w.watched
FROM (SELECT count(*) AS sensitive FROM sensitive_meeting_patterns p WHERE regexp_like(:topic, p.pattern)) s
CROSS JOIN (SELECT count(*) AS watched FROM watched_users u WHERE u.email = :host_email) w
