/**
 * zoomlake's one name folding for impersonation checks (zoom.participant.guest_impersonates_internal): the realtime
 * directory, the post-meeting correlation and the scheduled SQL all compare display names by this key. The SQL form,
 * nameKeySql, is built from the same tables and checked against nameKey over a corpus of names on DuckDB
 * (test/integration/name-key.test.ts), and the copies in queries/ are held equal to it.
 *
 * The key: lower case; combining marks dropped (a decomposed "é" is "e"); "(...)" and "[...]" parts dropped; letters
 * with diacritics and Cyrillic, Greek and full-width look-alikes folded to the Latin letter they look like (one
 * table, no Unicode normalisation, which the SQL engines lack or do differently); everything but letters splits
 * words; the words guest, external, extern, ext and visitor dropped; the words sorted and joined, so spacing,
 * punctuation and order ("Anders, Alice") do not matter.
 */

/** Characters folded, and what each folds to (lower case). */
export const FOLD_FROM =
  'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚıłŁđĐðÐøØħĦŧŦßŀĿƀɃɨƗɡꞬаАеЕёЁіІїЇјЈоОрРсСуУхХѕЅһҺԁԀԛԚԝԜӏӀкКвВмМнНтТαΑιΙκΚνΝοΟρΡυΥχΧϲϹβΒεΕζΖηΗτΤμΜ';
export const FOLD_TO =
  'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzillddddoohhttsllbbiiggaaeeeeiiiijjooppccyyxxsshhddqqwwllkkbbmmhhttaaiikkvvooppuuxxccbbeezznnttuu';
/** Words that say what someone is rather than who ("Alice Anders (guest)", "External - Alice Anders"). */
export const NOISE_WORDS: readonly string[] = ['guest', 'external', 'extern', 'ext', 'visitor'];

const FOLD = new Map([...FOLD_FROM].map((c, i) => [c, [...FOLD_TO][i]!]));
const NOISE: ReadonlySet<string> = new Set(NOISE_WORDS);
const PARTS = /\([^)]*\)|\[[^\]]*\]/gu;

/** Code-point order, as Trino and DuckDB sort varchar (UTF-8 bytes), not JavaScript's UTF-16 order. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The comparison key of a display name ('' when nothing is left). */
export function nameKey(name: string): string {
  const lowered = name.toLowerCase().replace(/\p{M}/gu, '').replace(PARTS, ' ');
  const folded = [...lowered].map((c) => FOLD.get(c) ?? c).join('');
  return folded
    .replace(/[^\p{L}]+/gu, ' ')
    .split(' ')
    .filter((w) => w !== '' && !NOISE.has(w))
    .sort(byCodePoint)
    .join('');
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * nameKey as a Trino SQL expression over `column` (it runs unchanged on DuckDB through the compatibility layer):
 * the same steps in the same order, from the same tables.
 */
export function nameKeySql(column: string): string {
  const noise = NOISE_WORDS.map(sqlString).join(', ');
  const marked = `regexp_replace(lower(${column}), '\\p{M}', '')`;
  const parts = `regexp_replace(${marked}, '\\([^)]*\\)|\\[[^\\]]*\\]', ' ')`;
  const folded = `translate(${parts}, ${sqlString(FOLD_FROM)}, ${sqlString(FOLD_TO)})`;
  return `array_join(array_sort(filter(split(regexp_replace(${folded}, '[^\\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN (${noise}))), '')`;
}

/** Whether a name has at least two words; a lone first name matches too many outsiders to mean anything. */
export function isFullName(name: string): boolean {
  return /\S\s+\S/u.test(name.trim());
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return false;
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** A participant as the scheduled detections key it: the lower-case email, else `guest:<lower-case display name>`. */
export function participantKey(email: string | null, userName: string | null): string {
  const e = email?.trim().toLowerCase();
  if (e) return e;
  const n = userName?.trim();
  return `guest:${(n === undefined || n === '' ? '(no name)' : n).toLowerCase()}`;
}
