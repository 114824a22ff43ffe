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

/**
 * One folding of display names into words: a character table (`from`[i] becomes `to`[i]), letter pairs replaced
 * after it, and the words dropped. nameKey uses NAME_FOLDING; the support-name check a stricter one
 * (lambdas/core/realtime/impersonation.ts). The TypeScript and SQL forms below take the same steps in the same order.
 */
export interface Folding {
  readonly from: string;
  readonly to: string;
  /** Letter sequences replaced after the table, in order (e.g. "rn" by "m"). @default [] */
  readonly pairs?: readonly (readonly [string, string])[];
  readonly noise: readonly string[];
}

/** The folding of nameKey. */
export const NAME_FOLDING: Folding = { from: FOLD_FROM, to: FOLD_TO, noise: NOISE_WORDS };

const PARTS = /\([^)]*\)|\[[^\]]*\]/gu;
const tables = new WeakMap<Folding, { fold: ReadonlyMap<string, string>; noise: ReadonlySet<string> }>();

function tableOf(f: Folding) {
  let t = tables.get(f);
  if (!t) {
    const to = [...f.to];
    t = { fold: new Map([...f.from].map((c, i) => [c, to[i]!])), noise: new Set(f.noise) };
    tables.set(f, t);
  }
  return t;
}

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

/** The words of a display name under a folding, in their order: lower case, marks and "(...)"/"[...]" parts dropped, folded, split on non-letters. */
export function foldedWords(name: string, f: Folding): string[] {
  const { fold, noise } = tableOf(f);
  const lowered = name.toLowerCase().replace(/\p{M}/gu, '').replace(PARTS, ' ');
  let folded = [...lowered].map((c) => fold.get(c) ?? c).join('');
  for (const [from, to] of f.pairs ?? []) folded = folded.replaceAll(from, to);
  return folded
    .replace(/[^\p{L}]+/gu, ' ')
    .split(' ')
    .filter((w) => w !== '' && !noise.has(w));
}

/** The comparison key of a display name ('' when nothing is left). */
export function nameKey(name: string): string {
  return foldedWords(name, NAME_FOLDING).sort(byCodePoint).join('');
}

/** A string as a SQL literal. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * foldedWords as a Trino SQL array expression over `column` (it runs unchanged on DuckDB through the compatibility
 * layer): the same steps in the same order, from the same tables.
 */
export function foldedWordsSql(column: string, f: Folding): string {
  const noise = f.noise.map(sqlString).join(', ');
  const marked = `regexp_replace(lower(${column}), '\\p{M}', '')`;
  const parts = `regexp_replace(${marked}, '\\([^)]*\\)|\\[[^\\]]*\\]', ' ')`;
  const translated = `translate(${parts}, ${sqlString(f.from)}, ${sqlString(f.to)})`;
  const folded = (f.pairs ?? []).reduce((e, [from, to]) => `replace(${e}, ${sqlString(from)}, ${sqlString(to)})`, translated);
  return `filter(split(regexp_replace(${folded}, '[^\\p{L}]+', ' '), ' '), w -> w <> '' AND w NOT IN (${noise}))`;
}

/** nameKey as a Trino SQL expression over `column`. */
export function nameKeySql(column: string): string {
  return `array_join(array_sort(${foldedWordsSql(column, NAME_FOLDING)}), '')`;
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
