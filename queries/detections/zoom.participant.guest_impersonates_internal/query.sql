-- External or unauthenticated participants (last 2 days) whose display name, folded to its name key, is an internal
-- user's name (users snapshots of the last 30 days, so a watched executive's name is known even if the latest
-- snapshot is old): the same key for anyone, or within max_edits of a watched user's key of fuzzy_min_name_letters+
-- letters; keys shorter than min_name_letters never match. The name key is zoomlake's one name folding
-- (lambdas/core/realtime/names.ts, nameKeySql; a test holds these copies equal to it): lower case, combining marks,
-- "(...)"/"[...]" parts and the words guest/external/extern/ext/visitor dropped, diacritics and look-alike letters
-- folded, words sorted and joined. Every ? is the run's end time (ISO-8601 UTC).
WITH -- Joins before the host carry no email (Zoom sends none): a signed-in participant's Zoom user id names the user, by
-- the users snapshots and user webhooks of 30 days, as the realtime user directory does.
jbh_users AS (
  SELECT x.user_id, max(x.email) AS email
  FROM (
    SELECT u.user_id, lower(nullif(trim(u.email), '')) AS email
    FROM users u
    WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND u.snapshot_time < from_iso8601_timestamp(?)
    UNION ALL
    SELECT ue.user_id, lower(nullif(trim(ue.email), ''))
    FROM user_events ue
    WHERE ue.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND ue.event_time < from_iso8601_timestamp(?)
  ) x
  WHERE x.user_id IS NOT NULL AND x.email IS NOT NULL
  GROUP BY x.user_id
),
joins AS (
  SELECT pe.meeting_uuid, pe.meeting_id, pe.host_id, coalesce(lower(nullif(trim(pe.email), '')), ju.email) AS email,
    nullif(trim(pe.user_name), '') AS user_name, nullif(pe.participant_user_id, '') AS zoom_user_id,
    nullif(pe.public_ip, '') AS ip_address, CAST(NULL AS varchar) AS device, pe.event_time AS join_time, 'participant_events' AS source
  FROM participant_events pe
  LEFT JOIN jbh_users ju
    ON ju.user_id = pe.participant_user_id
    AND pe.event IN ('meeting.participant_jbh_joined', 'meeting.participant_jbh_waiting', 'webinar.participant_jbh_joined',
                     'webinar.participant_jbh_waiting')
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_joined_waiting_room',
                     'webinar.participant_joined', 'webinar.participant_joined_waiting_room',
                     'meeting.participant_jbh_joined', 'meeting.participant_jbh_waiting',
                     'webinar.participant_jbh_joined', 'webinar.participant_jbh_waiting')
  UNION ALL
  SELECT mp.meeting_uuid, mp.meeting_id, CAST(NULL AS varchar), lower(nullif(trim(mp.user_email), '')), nullif(trim(mp.name), ''),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), CAST(NULL AS varchar), CAST(NULL AS varchar),
    mp.join_time, 'meeting_participants'
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT pd.meeting_uuid, pd.meeting_id, CAST(NULL AS varchar), lower(nullif(trim(pd.email), '')), nullif(trim(pd.user_name), ''),
    coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')), nullif(pd.ip_address, ''), nullif(pd.device, ''),
    pd.join_time, 'participant_details'
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
),
-- Within a meeting, a display name seen with an email lends it to the same name's email-less rows: the report APIs
-- blank external users' emails that the webhook carried.
named AS (
  SELECT j.meeting_uuid, j.user_name, max(j.email) AS email
  FROM joins j
  WHERE j.email IS NOT NULL AND j.user_name IS NOT NULL
  GROUP BY j.meeting_uuid, j.user_name
),
per_meeting AS (
  SELECT
    j.meeting_uuid,
    j.user_name,
    coalesce(j.email, n.email) AS user_email,
    max(j.meeting_id) AS meeting_id,
    max(j.host_id) AS host_id,
    bool_or(j.zoom_user_id IS NOT NULL) AS signed_in,
    max(j.ip_address) AS ip_address,
    max(j.device) AS device,
    min(j.join_time) AS first_join,
    max(j.join_time) AS last_join,
    array_join(array_sort(array_agg(DISTINCT j.source)), ', ') AS sources
  FROM joins j
  LEFT JOIN named n ON n.meeting_uuid = j.meeting_uuid AND n.user_name = j.user_name
  WHERE j.user_name IS NOT NULL
  GROUP BY j.meeting_uuid, j.user_name, coalesce(j.email, n.email)
),
user_rows AS (
  SELECT u.user_id, lower(u.email) AS email, u.display_name, u.first_name, u.last_name, u.snapshot_time
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND u.snapshot_time < from_iso8601_timestamp(?)
),
directory_emails AS (
  SELECT DISTINCT email FROM user_rows WHERE email IS NOT NULL
),
candidates AS (
  SELECT pm.*,
    array_join(array_sort(filter(split(regexp_replace(translate(regexp_replace(regexp_replace(lower(pm.user_name), '\p{M}', ''), '\([^)]*\)|\[[^\]]*\]', ' '), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzillddddoohhttsllbbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwllkkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuu'), '[^\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN ('guest', 'external', 'extern', 'ext', 'visitor'))), '') AS name_key
  FROM per_meeting pm
  LEFT JOIN internal_domains d ON d.domain = split_part(pm.user_email, '@', 2)
  LEFT JOIN directory_emails de ON de.email = pm.user_email
  WHERE (d.domain IS NULL OR pm.user_email IS NULL OR NOT pm.signed_in)
    -- Signed in with the email of a directory user: that user's own account, whatever internal_domains says.
    AND (de.email IS NULL OR NOT pm.signed_in)
),
internal_names AS (
  SELECT email, display_name AS name FROM user_rows
  UNION
  SELECT email, first_name || ' ' || last_name FROM user_rows
),
people AS (
  SELECT
    i.email,
    i.name,
    w.email IS NOT NULL AS watched,
    array_join(array_sort(filter(split(regexp_replace(translate(regexp_replace(regexp_replace(lower(i.name), '\p{M}', ''), '\([^)]*\)|\[[^\]]*\]', ' '), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzillddddoohhttsllbbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwllkkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuu'), '[^\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN ('guest', 'external', 'extern', 'ext', 'visitor'))), '') AS name_key
  FROM internal_names i
  LEFT JOIN watched_users w ON w.email = i.email
  -- A lone first name ("Alex") matches too many outsiders to mean anything.
  WHERE i.email IS NOT NULL AND regexp_like(trim(i.name), '\S\s+\S')
),
params AS (
  SELECT
    max(CASE WHEN name = 'min_name_letters' THEN value END) AS min_name_letters,
    max(CASE WHEN name = 'fuzzy_min_name_letters' THEN value END) AS fuzzy_min_name_letters,
    max(CASE WHEN name = 'max_edits' THEN value END) AS max_edits
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.guest_impersonates_internal'
),
matches AS (
  SELECT
    c.*,
    p.email AS impersonated_email,
    p.name AS impersonated_name,
    p.watched,
    CASE WHEN c.name_key = p.name_key THEN 'exact' ELSE 'near' END AS name_match
  FROM candidates c
  CROSS JOIN params prm
  JOIN people p
    ON c.name_key = p.name_key
    OR (p.watched AND length(p.name_key) >= prm.fuzzy_min_name_letters AND abs(length(c.name_key) - length(p.name_key)) <= prm.max_edits
        AND levenshtein_distance(c.name_key, p.name_key) <= prm.max_edits)
  WHERE length(p.name_key) >= prm.min_name_letters
),
hosts AS (
  SELECT m.meeting_uuid, max(lower(m.host_email)) AS host_email
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND m.start_time < from_iso8601_timestamp(?)
  GROUP BY m.meeting_uuid
),
host_users AS (
  SELECT user_id, max(email) AS email FROM user_rows GROUP BY user_id
)
SELECT
  x.meeting_uuid,
  max(x.meeting_id) AS meeting_id,
  x.user_name,
  x.user_email,
  x.impersonated_email,
  max(x.impersonated_name) AS impersonated_name,
  bool_or(x.watched) AS watched,
  min(x.name_match) AS name_match,
  bool_or(x.signed_in) AS signed_in,
  coalesce(bool_or(x.user_email = x.impersonated_email), false) AS claims_same_email,
  coalesce(max(h.host_email), max(hu.email)) AS host_email,
  max(x.ip_address) AS ip_address,
  max(x.device) AS device,
  max(x.sources) AS sources,
  min(x.first_join) AS first_seen,
  max(x.last_join) AS last_seen
FROM matches x
LEFT JOIN hosts h ON h.meeting_uuid = x.meeting_uuid
LEFT JOIN host_users hu ON hu.user_id = x.host_id
GROUP BY x.meeting_uuid, x.user_name, x.user_email, x.impersonated_email
