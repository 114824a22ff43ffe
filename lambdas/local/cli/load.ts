import { open } from 'node:fs/promises';
import { EnvelopeError, parseEnvelope } from '#core/webhook/envelope.ts';
import { writeWebhookEvents, type ItemProblem, type QueuedWebhookEvent } from '#core/webhook/lake-writer.ts';
import { URL_VALIDATION_EVENT, type WebhookDetail } from '#core/webhook/receive.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { CliFailure, EXIT_FAILURE, UsageError, errorText, fsReason } from './errors.ts';
import { printable } from '../terminal/escape.ts';
import type { CliIo } from './main.ts';
import { binaryOffset, splitBodies, type BodySpan } from './split-bodies.ts';

/** The largest file `load` reads; checked before reading, so a bigger file costs no memory. */
export const LOAD_MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Bodies per lake write: bounds the rows a writer buffers for a big file. */
const BATCH_BODIES = 5_000;
/** Rejected bodies listed per file; the count of the rest is printed, so a wrong file does not flood the terminal. */
const LISTED_REJECTS = 100;

/** One body that was not loaded (or loaded only partly), by its 1-based position and the line it starts on. */
export interface Rejected {
  readonly item: number;
  readonly line: number;
  readonly reason: string;
}

/** What loading one file did: bodies written to the lake, bodies refused, bodies whose typed rows did not fit. */
export interface LoadResult {
  readonly bodies: number;
  readonly accepted: number;
  readonly rejected: readonly Rejected[];
  /** Written to `webhook_events`, but a typed row did not fit its table. */
  readonly incomplete: readonly Rejected[];
  /** Bodies whose lake write failed; loading the file again writes them (records de-duplicate by record_id). */
  readonly unwritten: readonly Rejected[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`);

/** The file's bytes, refused before reading when over `maxBytes` (also a pipe or a file that grows while read). */
export async function readBounded(file: string, maxBytes: number): Promise<Uint8Array> {
  const tooBig = (bytes: string) =>
    new CliFailure(
      `${file} is ${bytes}, over load's limit of ${size(maxBytes)} per file; split it into smaller files ` +
        '(NDJSON: split -l 100000 FILE part-) and load those',
    );
  let handle;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file}`), { code: 'EISDIR' });
    if (stat.isFile() && stat.size > maxBytes) throw tooBig(size(stat.size));
    // One buffer of the file's size (one byte more, to see a file that grew); a pipe starts small and doubles.
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes, stat.isFile() ? stat.size : 1024 * 1024) + 1);
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        if (total > maxBytes) throw tooBig(`more than ${size(maxBytes)}`);
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxBytes) throw tooBig(`more than ${size(maxBytes)}`);
    return buffer.subarray(0, total);
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    const errno = error as NodeJS.ErrnoException;
    if (!(error instanceof Error) || typeof errno.code !== 'string') throw error;
    throw new CliFailure(`cannot read ${file}: ${fsReason(error) ?? error.message}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

/**
 * Why serve would not store this body although its signature is good: over the configured size (413), or Zoom's
 * endpoint check, which serve answers and never publishes. Undefined for a body serve would publish.
 */
function refusedByReceiver(text: string, bytes: number, maxBodyBytes: number): string | undefined {
  if (bytes > maxBodyBytes) return `too_large: ${bytes} bytes, over webhook.maxBodyBytes (${maxBodyBytes}); serve would answer 413`;
  try {
    if (parseEnvelope(text).event === URL_VALIDATION_EVENT)
      return `url_validation: ${URL_VALIDATION_EVENT} is a handshake; serve answers it and stores nothing`;
  } catch (error) {
    // The lake writer rejects a non-envelope with its own reason.
    if (!(error instanceof EnvelopeError)) throw error;
  }
  return undefined;
}

/**
 * Loads webhook bodies into the lake through the live pipeline's lake writer: each becomes the bus event detail
 * the receiver would publish for it (body inline, received now), so it yields the same `webhook_events` row and
 * typed rows as a body received by `serve`. No signature is checked: this is for trusted samples and exports.
 */
export async function loadBodies(rt: LocalRuntime, bytes: Uint8Array, spans: readonly BodySpan[]): Promise<LoadResult> {
  const receivedAt = rt.clock.now();
  const rejected: Rejected[] = [];
  const incomplete: Rejected[] = [];
  const unwritten: Rejected[] = [];
  let accepted = 0;
  const byId = new Map(spans.map((s) => [String(s.item), s]));
  const note = (list: Rejected[], problems: readonly ItemProblem[]) => {
    for (const p of problems) list.push({ item: Number(p.id), line: byId.get(p.id)!.line, reason: p.reason });
  };
  for (let from = 0; from < spans.length; from += BATCH_BODIES) {
    const batch: QueuedWebhookEvent[] = [];
    for (const span of spans.slice(from, from + BATCH_BODIES)) {
      let text: string;
      try {
        text = utf8.decode(bytes.subarray(span.start, span.end));
      } catch {
        rejected.push({ item: span.item, line: span.line, reason: 'body_not_utf8' });
        continue;
      }
      const refused = refusedByReceiver(text, span.end - span.start, rt.config.webhook.maxBodyBytes);
      if (refused !== undefined) {
        rejected.push({ item: span.item, line: span.line, reason: refused });
        continue;
      }
      const detail: WebhookDetail = { receivedAt, body: text };
      batch.push({ id: String(span.item), detail });
    }
    if (batch.length === 0) continue;
    const result = await writeWebhookEvents(batch, { writer: rt.writer('cli-load'), bodies: rt.store });
    accepted += result.written;
    note(rejected, result.rejected);
    note(unwritten, result.retrying);
    note(incomplete, result.incomplete);
  }
  const byItem = (a: Rejected, b: Rejected) => a.item - b.item;
  return { bodies: spans.length, accepted, rejected: rejected.sort(byItem), incomplete: incomplete.sort(byItem), unwritten: unwritten.sort(byItem) };
}

/** Reads, splits and loads one file, printing what it did; throws CliFailure when it loaded nothing or lost a write. */
async function loadFile(rt: LocalRuntime, io: CliIo, file: string): Promise<void> {
  const bytes = await readBounded(file, LOAD_MAX_FILE_BYTES);
  const nul = binaryOffset(bytes);
  if (nul >= 0) {
    throw new CliFailure(
      `${file} is not text (a NUL byte at offset ${nul}: binary, compressed or UTF-16?); ` +
        'load takes UTF-8 webhook bodies as JSON, a JSON array or NDJSON',
    );
  }
  const { bodies } = splitBodies(bytes);
  if (bodies.length === 0) throw new CliFailure(`${file} holds no webhook bodies; load takes JSON, a JSON array or NDJSON`);
  const result = await loadBodies(rt, bytes, bodies);
  const name = printable(file);
  io.out(
    `${name}: loaded ${result.accepted} webhook bodies into ${printable(rt.paths.lakeDir)}` +
      (result.rejected.length > 0 ? `, rejected ${result.rejected.length}:` : '') +
      '\n',
  );
  const listed = (list: readonly Rejected[], suffix = '') => {
    for (const r of list.slice(0, LISTED_REJECTS)) io.out(`  body ${r.item} (line ${r.line}): ${printable(r.reason)}${suffix}\n`);
    if (list.length > LISTED_REJECTS) io.out(`  ... and ${list.length - LISTED_REJECTS} more\n`);
  };
  listed(result.rejected);
  listed(result.incomplete, ' (loaded into webhook_events only)');
  if (result.unwritten.length > 0) {
    throw new CliFailure(
      `${result.unwritten.length} bodies of ${file} could not be written to the lake (${result.unwritten[0]!.reason}); ` +
        'nothing is lost from the file: load it again once the folder is writable',
    );
  }
  if (result.accepted === 0) {
    throw new CliFailure(
      `nothing loaded from ${file}: all ${result.bodies} bodies were rejected (first: body ${result.rejected[0]?.item}, ` +
        `${result.rejected[0]?.reason}); load takes Zoom webhook bodies as JSON, a JSON array or NDJSON`,
    );
  }
}

/**
 * `zoomlake load FILE...`: every file is loaded even when another fails; each failure is one line on stderr and the
 * exit code is then 1. A file with some bad bodies loads the rest, lists the bad ones on stdout, and counts as loaded.
 */
export async function load(rt: LocalRuntime, io: CliIo, files: readonly string[]): Promise<number> {
  if (files.length === 0) throw new UsageError('load needs at least one FILE');
  let failed = false;
  for (const file of files) {
    try {
      await loadFile(rt, io, file);
    } catch (error) {
      if (!(error instanceof CliFailure)) throw error;
      failed = true;
      io.err(errorText('load', error, io.env.ZOOMLAKE_DEBUG === '1').text);
    }
  }
  return failed ? EXIT_FAILURE : 0;
}
