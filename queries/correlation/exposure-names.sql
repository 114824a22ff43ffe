-- Post-meeting correlation, Exposure step: internal users' full names (users snapshots of the window: display name,
-- "first last"; the key ignores word order) whose name key is one of the candidates', and every watched user's name (a watched
-- name also matches a few edits away). The name key is zoomlake's one name folding (lambdas/core/realtime/names.ts,
-- nameKeySql; a test holds this copy equal to it).
-- Parameters: :users_dt (first day partition), :users_from and :users_to (ISO-8601 UTC), :keys (the candidates' name
-- keys joined with '|'; keys are letters only).
WITH user_rows AS (
  SELECT lower(u.email) AS email, u.display_name, u.first_name, u.last_name
  FROM users u
  WHERE u.dt >= :users_dt AND u.snapshot_time >= from_iso8601_timestamp(:users_from) AND u.snapshot_time < from_iso8601_timestamp(:users_to)
),
names AS (
  SELECT email, display_name AS name FROM user_rows
  UNION
  SELECT email, first_name || ' ' || last_name FROM user_rows
)
SELECT DISTINCT n.email, n.name, w.email IS NOT NULL AS watched
FROM names n
LEFT JOIN watched_users w ON w.email = n.email
WHERE n.email IS NOT NULL AND regexp_like(trim(n.name), '\S\s+\S')
  AND (w.email IS NOT NULL OR strpos('|' || :keys || '|', '|' || array_join(array_sort(filter(split(regexp_replace(translate(regexp_replace(regexp_replace(lower(n.name), '\p{M}', ''), '\([^)]*\)|\[[^\]]*\]', ' '), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzillddddoohhttsllbbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwllkkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuu'), '[^\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN ('guest', 'external', 'extern', 'ext', 'visitor'))), '') || '|') > 0)
