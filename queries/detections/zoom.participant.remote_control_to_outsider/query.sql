-- Remote control (meeting_activities, activity_category 'Remote Control' in any case, the last 2 days) taken by an
-- outsider: the participant who requested it or was given it is external or unauthenticated, or is named like Zoom
-- or support staff (view support_names; zoomlake's one definition, lambdas/core/realtime/impersonation.ts) without
-- being found as a signed-in internal participant.
--
-- The wording of activity_detail is ASSUMED (no published sample): "<controller> requested remote control" (the
-- operator takes control) and "<sharer> gave remote control to <controller>" (the operator gives it). Any other
-- wording counts everyone it names, and the operator, as possibly taking control. Who is named is found among the
-- participants of the same meeting number present at that time (joined from 12 hours before to 5 minutes after,
-- not left 5 minutes before) in participant_events, meeting_participants and participant_details, by their folded
-- display names appearing as whole words in the detail (supportPhraseSql, a test holds the copy equal); their email
-- and sign-in decide inside or outside, as in zoom.participant.impersonates_support. A name given control that no
-- participant row shows counts only when it claims support. Every ? is the run's end time (ISO-8601 UTC).
WITH rc AS (
  SELECT
    a.activity_time,
    a.meeting_id,
    nullif(trim(a.operator), '') AS operator,
    lower(nullif(trim(a.operator_email), '')) AS operator_email,
    a.activity_detail AS detail,
    CASE
      WHEN regexp_like(a.activity_detail, '(?i)\brequested remote control\b') THEN 'request'
      WHEN regexp_like(a.activity_detail, '(?i)\b(gave|given|granted|passed|handed)\b.*\bremote control\b.*\bto\b') THEN 'grant'
      ELSE 'other'
    END AS wording,
    nullif(trim(regexp_extract(a.activity_detail, '(?i)\bremote control\b.*\bto\s+(.+)$', 1)), '') AS given_to
  FROM meeting_activities a
  WHERE a.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND a.activity_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND a.activity_time < from_iso8601_timestamp(?)
    AND lower(trim(a.activity_category)) = 'remote control'
    AND a.meeting_id IS NOT NULL
),
joins AS (
  SELECT pe.meeting_id, pe.meeting_uuid, nullif(trim(pe.user_name), '') AS user_name, lower(nullif(trim(pe.email), '')) AS email,
    nullif(pe.participant_user_id, '') AS zoom_user_id, pe.event_time AS join_time, CAST(NULL AS timestamp) AS leave_time
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('hour', -60, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('hour', -60, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT mp.meeting_id, mp.meeting_uuid, nullif(trim(mp.name), ''), lower(nullif(trim(mp.user_email), '')),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), mp.join_time, mp.leave_time
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('hour', -60, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('hour', -60, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT pd.meeting_id, pd.meeting_uuid, nullif(trim(pd.user_name), ''), lower(nullif(trim(pd.email), '')),
    coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')), pd.join_time, pd.leave_time
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('hour', -60, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('hour', -60, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
),
present AS (
  SELECT r.activity_time, r.meeting_id, j.meeting_uuid, j.user_name, j.email, j.zoom_user_id
  FROM rc r
  JOIN joins j
    ON j.meeting_id = r.meeting_id
    AND j.join_time >= date_add('hour', -12, r.activity_time)
    AND j.join_time <= date_add('minute', 5, r.activity_time)
    AND (j.leave_time IS NULL OR j.leave_time >= date_add('minute', -5, r.activity_time))
  WHERE j.user_name IS NOT NULL
),
-- Every text compared, folded once.
texts AS (
  SELECT DISTINCT t FROM (
    SELECT operator AS t FROM rc UNION ALL SELECT detail FROM rc UNION ALL SELECT given_to FROM rc UNION ALL SELECT user_name FROM present
  ) AS x (t)
  WHERE t IS NOT NULL
),
phrases AS (
  SELECT t, ' ' || array_join(filter(split(regexp_replace(replace(replace(translate(regexp_replace(regexp_replace(lower(t), '\p{M}', ''), '\([^)]*\)|\[[^\]]*\]', ' '), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ013457$l', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkiiiiiinnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkiiiiiiiimmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijkimnopqrstuvwxyzabcdefghijkimnopqrstuvwxyziiiddddoohhttsiibbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwiikkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuuoieastsi'), 'rn', 'm'), 'vv', 'w'), '[^\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN ('guest', 'extemai', 'extem', 'ext', 'visitor')), ' ') || ' ' AS phrase
  FROM texts
),
user_rows AS (
  SELECT u.user_id, lower(u.email) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND u.snapshot_time < from_iso8601_timestamp(?)
),
directory_emails AS (
  SELECT DISTINCT email FROM user_rows WHERE email IS NOT NULL
),
-- The people present at each entry, by folded name and email; a name seen with an email lends it to the same name's
-- email-less rows (the report APIs blank external users' emails that the webhook carried).
present_folded AS (
  SELECT p.*, f.phrase, max(p.email) OVER (PARTITION BY p.activity_time, p.meeting_id, f.phrase) AS lent_email
  FROM present p
  JOIN phrases f ON f.t = p.user_name
  WHERE trim(f.phrase) <> ''
),
people AS (
  SELECT activity_time, meeting_id, phrase, coalesce(email, lent_email) AS email, max(meeting_uuid) AS meeting_uuid,
    max(user_name) AS user_name, bool_or(zoom_user_id IS NOT NULL) AS signed_in
  FROM present_folded
  GROUP BY activity_time, meeting_id, phrase, coalesce(email, lent_email)
),
-- Who each entry names besides its operator: the people present whose folded name stands as whole words in the
-- detail (for the "gave ... to" wording, in the name after "to"), other than the operator.
named AS (
  SELECT r.activity_time, r.meeting_id, r.detail, p.phrase, max(p.user_name) AS user_name
  FROM rc r
  JOIN phrases d ON d.t = (CASE WHEN r.wording = 'grant' THEN r.given_to ELSE r.detail END)
  JOIN people p ON p.activity_time = r.activity_time AND p.meeting_id = r.meeting_id
  LEFT JOIN phrases op ON op.t = r.operator
  WHERE strpos(d.phrase, p.phrase) > 0 AND (op.phrase IS NULL OR p.phrase <> op.phrase)
  GROUP BY r.activity_time, r.meeting_id, r.detail, p.phrase
),
-- Everyone who may have taken control, with the part they play: the operator (takes control on "requested", gives
-- it on "gave ... to"), the people named (take it on "gave ... to"), a name given control that nobody present shows.
parties AS (
  SELECT r.activity_time, r.meeting_id, r.operator, r.operator_email, r.detail, r.wording, r.operator AS party, true AS is_operator,
    CASE WHEN r.wording = 'request' THEN 'controller' WHEN r.wording = 'grant' THEN 'sharer' ELSE 'unknown' END AS role,
    op.phrase
  FROM rc r
  LEFT JOIN phrases op ON op.t = r.operator
  UNION ALL
  SELECT r.activity_time, r.meeting_id, r.operator, r.operator_email, r.detail, r.wording, n.user_name, false,
    CASE WHEN r.wording = 'grant' THEN 'controller' WHEN r.wording = 'request' THEN 'named' ELSE 'unknown' END,
    n.phrase
  FROM rc r
  JOIN named n ON n.activity_time = r.activity_time AND n.meeting_id = r.meeting_id AND n.detail = r.detail
  UNION ALL
  SELECT r.activity_time, r.meeting_id, r.operator, r.operator_email, r.detail, r.wording, r.given_to, false, 'controller', g.phrase
  FROM rc r
  JOIN phrases g ON g.t = r.given_to
  WHERE r.wording = 'grant'
    AND NOT EXISTS (SELECT 1 FROM named n WHERE n.activity_time = r.activity_time AND n.meeting_id = r.meeting_id AND n.detail = r.detail)
),
-- Each party as the people present it can be (the operator by the trail's email when it has one, else by name).
identified AS (
  SELECT x.*, p.email AS seen_email, p.signed_in, p.meeting_uuid, p.phrase IS NOT NULL AS seen
  FROM parties x
  LEFT JOIN people p
    ON p.activity_time = x.activity_time AND p.meeting_id = x.meeting_id
    AND (CASE WHEN x.is_operator AND x.operator_email IS NOT NULL THEN p.email = x.operator_email ELSE p.phrase = x.phrase END)
),
claims AS (
  SELECT f.t, array_join(array_sort(array_agg(s.name)), ', ') AS claimed_names
  FROM phrases f
  JOIN support_names s ON strpos(f.phrase, s.phrase) > 0 AND (s.words > 1 OR f.phrase = s.phrase)
  GROUP BY f.t
),
judged AS (
  SELECT i.*, c.claimed_names,
    CASE
      WHEN i.seen AND i.signed_in AND (d.domain IS NOT NULL OR de.email IS NOT NULL) THEN 'inside'
      WHEN i.seen AND (i.seen_email IS NULL OR NOT i.signed_in) THEN 'unauthenticated'
      WHEN i.seen THEN 'external'
      -- Not among the participants: the operator by the trail's email (blank for guests); a name given control, unknown.
      WHEN i.is_operator AND i.operator_email IS NULL THEN 'unauthenticated'
      WHEN i.is_operator AND od.domain IS NOT NULL THEN 'inside'
      WHEN i.is_operator THEN 'external'
      ELSE 'unknown'
    END AS standing
  FROM identified i
  LEFT JOIN internal_domains d ON d.domain = split_part(i.seen_email, '@', 2)
  LEFT JOIN directory_emails de ON de.email = i.seen_email
  LEFT JOIN internal_domains od ON od.domain = split_part(i.operator_email, '@', 2)
  LEFT JOIN claims c ON c.t = i.party
),
hosts AS (
  SELECT m.meeting_uuid, max(lower(m.host_email)) AS host_email
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND m.start_time < from_iso8601_timestamp(?)
  GROUP BY m.meeting_uuid
)
SELECT
  j.meeting_id,
  max(j.meeting_uuid) AS meeting_uuid,
  j.party AS user_name,
  coalesce(j.seen_email, CASE WHEN j.is_operator THEN j.operator_email END) AS user_email,
  array_join(array_sort(array_agg(DISTINCT j.standing)), ', ') AS standing,
  max(j.claimed_names) AS claimed_names,
  array_join(array_sort(array_agg(DISTINCT j.role)), ', ') AS role,
  coalesce(bool_or(j.signed_in), false) AS signed_in,
  -- Whose screen it was, when the wording says (the operator of "gave ... to").
  max(CASE WHEN j.wording = 'grant' THEN coalesce(j.operator_email, j.operator) END) AS screen_of,
  array_join(array_sort(array_agg(DISTINCT coalesce(j.operator, '?') || CASE WHEN j.operator_email IS NULL THEN '' ELSE ' <' || j.operator_email || '>' END)), ', ') AS operators,
  array_join(array_sort(array_agg(DISTINCT j.detail)), ' | ') AS activity_details,
  max(h.host_email) AS host_email,
  min(j.activity_time) AS first_seen,
  max(j.activity_time) AS last_seen
FROM judged j
LEFT JOIN hosts h ON h.meeting_uuid = j.meeting_uuid
WHERE (j.role = 'controller' OR j.role = 'unknown')
  AND (j.standing = 'unauthenticated' OR j.standing = 'external' OR (j.standing = 'unknown' AND j.claimed_names IS NOT NULL))
GROUP BY j.meeting_id, j.party, coalesce(j.seen_email, CASE WHEN j.is_operator THEN j.operator_email END)
