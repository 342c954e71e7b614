/**
 * The words of a refused detection: what each layout tried gave
 * ({@link describeTrials}), what to do ({@link refusalAdvice}), the message
 * for the library or the command line ({@link refusalMessage}), and what a
 * file that holds no login records holds instead ({@link fileContent},
 * {@link contentRefusal}). No scoring: importable without the scorer.
 *
 * @module
 */

import { type FileContent, type Refusal, type Trial, UtmpFormatError } from "../errors.ts";
import type { Layout } from "./schema.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import type { Score } from "./_plausible.ts";

/**
 * The "tried" part of a refusal: each layout with the share of its records
 * that read plausibly and whether its size divides the file, best first;
 * those with no plausible record named together.
 *
 * @param tried The trials.
 * @returns Text for a message.
 */
export function describeTrials(tried: readonly Trial[]): string {
  const size = (t: Trial) => (t.fits ? "size fits" : "size does not fit");
  const read = tried.filter((t) => t.plausible > 0).map((t) =>
    `"${t.layout}" ${t.plausible} of ${t.sampled} plausible (${Math.round(t.share * 100)}%), ${size(t)}`
  );
  const none = tried.filter((t) => t.plausible === 0 && t.records > 0).map((t) =>
    `"${t.layout}"${t.fits ? " (size fits)" : ""}`
  );
  const short = tried.filter((t) => t.records === 0).map((t) => `"${t.layout}"`);
  const parts = [...read];
  if (none.length > 0) parts.push(`no record plausible as ${list(none, "or")}`);
  if (short.length > 0) parts.push(`shorter than one record of ${list(short, "or")}`);
  return `Tried: ${parts.join("; ")}`;
}

/**
 * The advice of a refusal, in the library's words (`layout` option) or the
 * command line's (`--layout`); for a file whose first bytes say what it is
 * (`content`), what reads it instead.
 *
 * @param suggested Layouts to try, best first.
 * @param speaker Whose words.
 * @param content What the file is, when its first bytes said so.
 * @returns Text for a message.
 */
export function refusalAdvice(
  suggested: readonly string[],
  speaker: "library" | "cli",
  content?: FileContent,
): string {
  if (content !== undefined) return CONTENT[content].advice[speaker === "cli" ? 1 : 0];
  if (speaker === "cli") {
    return suggested.length === 0
      ? "pass --layout NAME if you know its layout"
      : `pass --layout NAME to read it as one (${list(suggested.map((n) => `--layout ${n}`), "or")})`;
  }
  return suggested.length === 0
    ? "pass the layout option if you know its layout"
    : `pass the layout option to read it as one (${list(suggested.map((n) => `layout: "${n}"`), "or")})`;
}

/**
 * A refusal's whole message in the library's or the command line's words:
 * the summary, the advice, then the layouts tried (none for a file whose
 * first bytes said what it is: the one sentence says it).
 *
 * @example The command line's words
 * ```ts
 * import { detectLayout, refusalMessage } from "@utmp/utmp/layouts";
 * import { UtmpFormatError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * const gzip = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
 * assert.throws(() => detectLayout(gzip, gzip.length, { path: "wtmp.1.gz" }), (e) =>
 *   e instanceof UtmpFormatError && e.refusal !== undefined && refusalMessage(e.refusal, "cli") ===
 *     'Cannot read "wtmp.1.gz" as login records: it is gzip-compressed (it begins with gzip\'s magic bytes 1f 8b); decompress it first: zcat FILE > COPY');
 * ```
 *
 * @param refusal The refusal.
 * @param speaker Whose words.
 * @returns The message.
 */
export function refusalMessage(refusal: Refusal, speaker: "library" | "cli"): string {
  const advice = `${refusal.summary}; ${refusalAdvice(refusal.suggested, speaker, refusal.content)}`;
  return refusal.content !== undefined ? advice : `${advice}. ${describeTrials(refusal.tried)}`;
}

/** What each kind of content is, in words, and what reads it: [the library's words, the command line's]. */
const CONTENT: Readonly<Record<FileContent, { what: string; advice: readonly [string, string] }>> = {
  gzip: { what: "it is gzip-compressed (it begins with gzip's magic bytes 1f 8b)", advice: same("zcat") },
  xz: { what: "it is xz-compressed (it begins with xz's magic bytes fd 37 7a 58 5a 00)", advice: same("xzcat") },
  zstd: { what: "it is zstd-compressed (it begins with zstd's magic bytes 28 b5 2f fd)", advice: same("zstdcat") },
  bzip2: { what: 'it is bzip2-compressed (it begins with bzip2\'s magic "BZh")', advice: same("bzcat") },
  utmpdump: {
    what: 'it is utmpdump\'s text (its first line reads "[type] [pid] [id] [user] ..."), not binary records',
    advice: ["turn it into records with parseUtmpdump()", "turn it into records with 'utmp dump --reverse FILE'"],
  },
  text: {
    what: "it is text (no NUL byte; printable UTF-8 lines)",
    advice: ["pass the path of a login-record file", "pass the path of a login-record file"],
  },
  wtmpdb: {
    what: "it is a wtmpdb database (SQLite, with wtmpdb's table wtmp)",
    advice: ['read it with source "wtmpdb" (history(), lastSessions())', "read it with 'utmp last -f FILE'"],
  },
  lastlog2: {
    what: "it is a lastlog2 database (SQLite, with lastlog2's table Lastlog2)",
    advice: ['read it with source "lastlog2" (lastlogs())', "read it with 'utmp lastlog --file FILE'"],
  },
  sqlite: {
    what: "it is an SQLite database, neither a wtmpdb nor a lastlog2 one (it has neither's table)",
    advice: ["pass the path of a login-record file", "pass the path of a login-record file"],
  },
};

/** The advice for a compressed file: the same in both speakers' words. */
function same(tool: string): readonly [string, string] {
  const advice = `decompress it first: ${tool} FILE > COPY`;
  return [advice, advice];
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = "SQLite format 3\0";

/** Whether `head` begins with `magic`. */
function begins(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/**
 * What a file is by its first bytes, when that is something other than
 * login records in any layout: compressed (gzip, xz, zstd, bzip2, by their
 * magic bytes), an SQLite database (wtmpdb's or lastlog2's by the schema on
 * its first page), utmpdump's text, or other lines of text. A login record of
 * any layout holds NUL bytes (zero padding, a zero field); text holds none.
 *
 * @example A gzip file and utmpdump's text
 * ```ts
 * import { fileContent } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fileContent(Uint8Array.of(0x1f, 0x8b, 8, 0)), "gzip");
 * const line = "[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.0.2.7           ] [192.0.2.7      ] [2023-11-14T22:13:20,123456+00:00]\n";
 * assert.equal(fileContent(new TextEncoder().encode(line)), "utmpdump");
 * assert.equal(fileContent(new TextEncoder().encode("ssh 22/tcp\n")), "text");
 * assert.equal(fileContent(new Uint8Array(384)), undefined);
 * ```
 *
 * @param head The first bytes of the file (the more, the surer: {@link DETECT_BYTES}).
 * @returns What it is, or undefined when its first bytes do not say (login records, or anything else).
 */
export function fileContent(head: Uint8Array): FileContent | undefined {
  if (head.length === 0) return undefined;
  if (begins(head, [0x1f, 0x8b])) return "gzip";
  if (begins(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (begins(head, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd";
  if (begins(head, [0x42, 0x5a, 0x68]) && head[3]! >= 0x31 && head[3]! <= 0x39) return "bzip2";
  if (begins(head, [...SQLITE_MAGIC].map((c) => c.charCodeAt(0)))) {
    // The schema (sqlite_master) is on the first page: each table's CREATE statement, as written.
    const schema = new TextDecoder("latin1").decode(head);
    if (/CREATE TABLE\s+["'`[]?wtmp\b/i.test(schema)) return "wtmpdb";
    if (/CREATE TABLE\s+["'`[]?Lastlog2\b/i.test(schema)) return "lastlog2";
    return "sqlite";
  }
  if (!isPlainText(head)) return undefined;
  return /^\s*\[-?\d+\] \[ *-?\d+\] \[/.test(new TextDecoder().decode(head.subarray(0, 256))) ? "utmpdump" : "text";
}

/**
 * Lines of text: at least one newline, no NUL byte, no control character but
 * white space (tab, newline, CR, form feed, vertical tab), and UTF-8. (A few
 * bytes with no line end, such as the one byte of a cut wtmp, are a partial
 * record, not text.)
 */
function isPlainText(head: Uint8Array): boolean {
  if (!head.includes(0x0a)) return false;
  let ascii = true;
  for (const b of head) {
    if (b < 0x20 && (b < 0x09 || b > 0x0d)) return false;
    if (b === 0x7f) return false;
    if (b >= 0x80) ascii = false;
  }
  if (ascii) return true;
  try {
    // The head may end in the middle of a character: a stream decode leaves that one out.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The refusal of a file whose first bytes say what it is ({@link fileContent}),
 * when that is not what a reader reads: one sentence naming it and what reads
 * it instead.
 *
 * @example A lastlog2 database where login records were expected
 * ```ts
 * import { contentRefusal } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   contentRefusal("lastlog2", "lastlog2.db", "login records").message,
 *   'Cannot read "lastlog2.db" as login records: it is a lastlog2 database (SQLite, with lastlog2\'s table Lastlog2); read it with source "lastlog2" (lastlogs())',
 * );
 * ```
 *
 * @param content What the file is.
 * @param path The file, for the message.
 * @param reading What it was to be read as.
 * @returns The error (a `UtmpFormatError` whose `refusal.content` is `content`), to throw.
 */
export function contentRefusal(
  content: FileContent,
  path: string | undefined,
  reading: "login records" | "a lastlog",
): UtmpFormatError {
  const where = path === undefined ? "the file" : quotePath(path);
  const refusal: Refusal = {
    summary: `Cannot read ${where} as ${reading}: ${CONTENT[content].what}`,
    suggested: [],
    tried: [],
    content,
  };
  return new UtmpFormatError(refusalMessage(refusal, "library"), {
    offset: 0,
    recordIndex: 0,
    layout: "auto",
    refusal,
  });
}

/** "a", "a or b", "a, b or c". */
export function list(items: readonly string[], last: string): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;
}

/** A refusal: the summary, the library's advice and the tried list, with the structured form for a command line. */
export function refuse(
  summary: string,
  scored: readonly Score[],
  short: readonly Layout[],
  suggested: readonly string[],
): UtmpFormatError {
  const tried: Trial[] = [
    ...scored.map((s) => ({
      layout: s.layout.name,
      records: s.records,
      sampled: s.sampled,
      plausible: s.plausible,
      share: s.support,
      fits: s.fits,
    })),
    ...short.map((l) => ({ layout: l.name, records: 0, sampled: 0, plausible: 0, share: 0, fits: false })),
  ];
  const refusal: Refusal = { summary, suggested, tried };
  return new UtmpFormatError(refusalMessage(refusal, "library"), {
    offset: 0,
    recordIndex: 0,
    layout: "auto",
    refusal,
  });
}

/** A plain detection error (no layout option would help: read it with another reader). */
export function fail(message: string): UtmpFormatError {
  return new UtmpFormatError(message, { offset: 0, recordIndex: 0, layout: "auto" });
}

/** `"a" and "b"`. */
export function names(scores: readonly Score[]): string {
  return list(scores.map((s) => `"${s.layout.name}"`), "and");
}
