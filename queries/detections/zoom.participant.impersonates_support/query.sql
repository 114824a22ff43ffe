-- External or unauthenticated participants (joins of the last 2 days) who pose as support: a display name that claims
-- to be Zoom or the organisation's support (view support_names, config supportNames), or an email domain that looks
-- like an internal domain (view lookalike_domains). Both are zoomlake's one definition
-- (lambdas/core/realtime/impersonation.ts): the name's folded words (supportPhraseSql) must contain a support name's,
-- a one-word support name being the whole display name; the email domain's folded name and parts (domainSkeletonSql)
-- are compared with the internal domains' folded forms. A test holds these copies equal to the TypeScript. Every ?
-- is the run's end time (ISO-8601 UTC).
WITH joins AS (
  SELECT pe.meeting_uuid, pe.meeting_id, pe.host_id, lower(nullif(trim(pe.email), '')) AS email,
    nullif(trim(pe.user_name), '') AS user_name, nullif(pe.participant_user_id, '') AS zoom_user_id,
    nullif(pe.public_ip, '') AS ip_address, CAST(NULL AS varchar) AS device, pe.event_time AS join_time, 'participant_events' AS source
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_joined_waiting_room',
                     'webinar.participant_joined', 'webinar.participant_joined_waiting_room')
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
  GROUP BY j.meeting_uuid, j.user_name, coalesce(j.email, n.email)
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
-- Outside: not signed in with an internal email (as guest_impersonates_internal decides), and not signed in with the
-- email of a directory user (that user's own account, whatever internal_domains says).
outsiders AS (
  SELECT pm.*, nullif(split_part(pm.user_email, '@', 2), '') AS email_domain
  FROM per_meeting pm
  LEFT JOIN internal_domains d ON d.domain = split_part(pm.user_email, '@', 2)
  LEFT JOIN directory_emails de ON de.email = pm.user_email
  WHERE (d.domain IS NULL OR pm.user_email IS NULL OR NOT pm.signed_in)
    AND (de.email IS NULL OR NOT pm.signed_in)
),
folded AS (
  SELECT o.*,
    ' ' || array_join(filter(split(regexp_replace(replace(replace(translate(regexp_replace(regexp_replace(lower(o.user_name), '\p{M}', ''), '\([^)]*\)|\[[^\]]*\]', ' '), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ013457$l', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkiiiiiinnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkiiiiiiiimmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijkimnopqrstuvwxyzabcdefghijkimnopqrstuvwxyziiiddddoohhttsiibbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwiikkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuuoieastsi'), 'rn', 'm'), 'vv', 'w'), '[^\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN ('guest', 'extemai', 'extem', 'ext', 'visitor')), ' ') || ' ' AS name_phrase,
    replace(replace(translate(regexp_replace(lower(o.email_domain), '(\.(co|com|net|org|ac|gov|edu)\.[^.]{2}|\.[^.]+)$', ''), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ013457$l', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkiiiiiinnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkiiiiiiiimmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijkimnopqrstuvwxyzabcdefghijkimnopqrstuvwxyziiiddddoohhttsiibbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwiikkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuuoieastsi'), 'rn', 'm'), 'vv', 'w') AS domain_skeleton
  FROM outsiders o
),
candidates AS (
  SELECT f.*,
    replace(replace(f.domain_skeleton, '.', ''), '-', '') AS domain_name,
    '-' || replace(f.domain_skeleton, '.', '-') || '-' AS domain_parts
  FROM folded f
),
params AS (
  SELECT
    max(CASE WHEN name = 'fuzzy_min_letters' THEN value END) AS fuzzy_min_letters,
    max(CASE WHEN name = 'max_edits' THEN value END) AS max_edits
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.impersonates_support'
),
claims AS (
  SELECT c.meeting_uuid, c.user_name, c.user_email, s.name AS claimed_name, CAST(NULL AS varchar) AS lookalike_of, CAST(NULL AS varchar) AS lookalike
  FROM candidates c
  JOIN support_names s ON strpos(c.name_phrase, s.phrase) > 0 AND (s.words > 1 OR c.name_phrase = s.phrase)
  UNION ALL
  SELECT c.meeting_uuid, c.user_name, c.user_email, CAST(NULL AS varchar), k.domain,
    CASE WHEN k.kind = 'same_name' AND c.domain_name <> k.key THEN 'edited_name' ELSE k.kind END
  FROM candidates c
  CROSS JOIN params prm
  JOIN lookalike_domains k
    ON ((k.kind = 'same_name' OR k.kind = 'domain_in_name') AND c.domain_name = k.key)
    OR (k.kind = 'swapped_letters' AND length(k.key) >= prm.fuzzy_min_letters AND c.domain_name = k.key)
    OR (k.kind = 'same_name' AND length(k.key) >= prm.fuzzy_min_letters AND abs(length(c.domain_name) - length(k.key)) <= prm.max_edits
        AND levenshtein_distance(c.domain_name, k.key) <= prm.max_edits)
    OR (k.kind = 'name_with_lure' AND strpos(c.domain_parts, k.key) > 0)
  -- An internal domain, or one under it (mail.acme.example), is never a look-alike.
  WHERE c.email_domain IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM internal_domains i WHERE c.email_domain = i.domain OR c.email_domain LIKE ('%.' || i.domain))
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
),
found AS (
  SELECT
    x.meeting_uuid,
    x.user_name,
    x.user_email,
    array_join(array_sort(filter(array_agg(DISTINCT x.claimed_name), v -> v IS NOT NULL)), ', ') AS claimed_names,
    array_join(array_sort(filter(array_agg(DISTINCT x.lookalike_of), v -> v IS NOT NULL)), ', ') AS lookalike_of,
    array_join(array_sort(filter(array_agg(DISTINCT x.lookalike), v -> v IS NOT NULL)), ', ') AS lookalike
  FROM claims x
  GROUP BY x.meeting_uuid, x.user_name, x.user_email
)
SELECT
  c.meeting_uuid,
  c.meeting_id,
  c.user_name,
  c.user_email,
  f.claimed_names,
  f.lookalike_of,
  f.lookalike,
  c.signed_in,
  coalesce(h.host_email, hu.email) AS host_email,
  c.ip_address,
  c.device,
  c.sources,
  c.first_join AS first_seen,
  c.last_join AS last_seen
FROM found f
-- One candidate row per meeting, name and email (per_meeting's grouping); either may be NULL.
JOIN candidates c ON c.meeting_uuid = f.meeting_uuid AND coalesce(c.user_name, '') = coalesce(f.user_name, '')
  AND coalesce(c.user_email, '') = coalesce(f.user_email, '')
LEFT JOIN hosts h ON h.meeting_uuid = c.meeting_uuid
LEFT JOIN host_users hu ON hu.user_id = c.host_id
