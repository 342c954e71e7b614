/**
 * Which lastlog layout a file is in ({@link detectLastlogLayout}), and the
 * two answers the utmp detection gives for a file that is a lastlog
 * ({@link lastlogKind}, {@link zeroLastlog}). The evidence is that of
 * _plausible.ts; the rules are in detect.ts's documentation.
 *
 * @module
 */

import type { UtmpFormatError } from "../errors.ts";
import { isZero } from "./_engine.ts";
import { layoutsOf } from "./registry.ts";
import type { Layout } from "./schema.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import {
  clock,
  compareTimes,
  type Detection,
  type DetectOptions,
  MIN_SUPPORT,
  type Score,
  scoreLastlog,
  weakness,
} from "./_plausible.ts";
import { contentRefusal, fail, fileContent, list, names, refuse } from "./_refusal.ts";

/**
 * For a file detection of login records refuses: the lastlog layout its head
 * reads as (`"lastlog-linux"`), when every used slot of one whose size
 * divides the file looks right; undefined when none does.
 */
export function lastlogKind(head: Uint8Array, fileSize: number, now: number): string | undefined {
  const sample = [{ offset: 0, bytes: head }];
  const fitting = layoutsOf("lastlog").map((l) => scoreLastlog(l, sample, fileSize, now))
    .filter((s) => s.fits && s.plausible > 0 && s.support === 1 && s.clean === s.plausible);
  if (fitting.length === 0) return undefined;
  try {
    return `"${detectLastlogLayout(sample, fileSize, { now }).layout.name}"`;
  } catch {
    return list(fitting.map((s) => `"${s.layout.name}"`), "or");
  }
}

/**
 * A file whose sampled head is all zero, whose size no layout of login
 * records divides but a lastlog slot size does: a lastlog whose low uids
 * never logged in (an aarch64 one whose first used slot is uid 1000, at
 * 296000). Undefined for any other file.
 */
export function zeroLastlog(
  head: Uint8Array,
  fileSize: number,
  choosable: readonly Layout[],
  where: string,
): UtmpFormatError | undefined {
  if (!isZero(head, 0, head.length) || choosable.some((l) => fileSize % l.size === 0)) return undefined;
  const slots = layoutsOf("lastlog").filter((l) => fileSize % l.size === 0);
  if (slots.length === 0) return undefined;
  const sizes = [...new Set(slots.map((l) => l.size))].join(" or ");
  return fail(
    `Cannot read ${where} as login records: it looks like a lastlog file (${
      list(slots.map((l) => `"${l.name}"`), "or")
    }): its first ${head.length} bytes are zero, as a lastlog's unused slots are, and its size is a whole number of ${sizes}-byte lastlog slots but of no login record's size; use LastlogFile`,
  );
}

/**
 * Chooses the layout of a lastlog file from a few regions of it (a lastlog is
 * a sparse array indexed by uid, so its used slots may be anywhere; the first
 * and last megabyte hold most of them): the layouts whose slot size divides
 * the file size first, then the share of the used slots that look right (a
 * time from 1970 to 2106, a zero-padded line; the host is not looked at),
 * then between the two byte orders of one slot size the times (see
 * {@link detectLayout}), then the share of printable lines. Linux's 292 and
 * 296 bytes both divide multiples of 21608, and 296 × 1001 is a multiple of
 * 28, so the slot contents decide. Used slots whose times read plausibly in
 * both byte orders (one slot, mostly) go to `prefer` when it is one of them;
 * without it they are refused.
 *
 * @example A 292-byte slot for uid 1
 * ```ts
 * import { detectLastlogLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(2 * 292);
 * new DataView(bytes.buffer).setUint32(292, 1700000123, true); // big-endian, 2079: a year ahead of the clock
 * bytes.set(new TextEncoder().encode("pts/0"), 292 + 4);
 * bytes.set(new TextEncoder().encode("192.0.2.1"), 292 + 36);
 * assert.equal(detectLastlogLayout([{ offset: 0, bytes }], bytes.length).layout.name, "lastlog-linux");
 * ```
 *
 * @param samples Regions of the file, each with its file offset.
 * @param fileSize The size of the whole file.
 * @param options Preference (for an empty file, and for slots both byte orders read), file name and the time
 * to judge at.
 * @returns The layout, with confidence and reason.
 * @throws {UtmpFormatError} When no lastlog layout fits, or several fit equally and `prefer` is not one of them.
 */
export function detectLastlogLayout(
  samples: readonly { offset: number; bytes: Uint8Array }[],
  fileSize: number,
  options: Omit<DetectOptions, "candidates"> = {},
): Detection {
  const candidates = layoutsOf("lastlog");
  const now = options.now ?? clock();
  const given = candidates.find((l) => l.name === options.prefer);
  const preferred = given ?? candidates[0]!;
  const where = options.path === undefined ? "the file" : quotePath(options.path);
  if (fileSize === 0) return { layout: preferred, confidence: 0, reason: "empty file" };
  const first = samples.find((s) => s.offset === 0);
  const content = first === undefined ? undefined : fileContent(first.bytes);
  if (content !== undefined) throw contentRefusal(content, options.path, "a lastlog");
  const all = candidates.map((l) => scoreLastlog(l, samples, fileSize, now));
  const scored = all.filter((s) => s.records > 0).sort(rankLastlog);
  const short = all.filter((s) => s.records === 0).map((s) => s.layout);
  const best = scored[0];
  if (best === undefined || scored.every((s) => s.sampled === 0)) {
    const fitting = scored.filter((s) => s.fits);
    const sizes = new Set(fitting.map((s) => s.layout.size));
    if (sizes.size === 1) {
      // One slot size divides the file: which byte order cannot matter, every slot sampled is zero.
      const layout = fitting.find((s) => s.layout === preferred)?.layout ?? fitting[0]!.layout;
      return { layout, confidence: 0, reason: `no used slot sampled; only ${layout.size} divides the file size` };
    }
    if (fitting.some((s) => s.layout === preferred)) {
      return { layout: preferred, confidence: 0, reason: `no used slot sampled; chose the preferred layout` };
    }
    throw refuse(
      `Cannot tell the lastlog layout of ${where}: no used slot in the sampled regions`,
      scored,
      short,
      fitting.map((s) => s.layout.name),
    );
  }
  if (best.plausible === 0 || best.support < MIN_SUPPORT) {
    throw refuse(
      `Cannot recognise the lastlog layout of ${where}: no lastlog layout decodes its used slots plausibly`,
      scored,
      short,
      scored.filter((s) => s.plausible > 0 && s.support >= MIN_SUPPORT).slice(0, 3).map((s) => s.layout.name),
    );
  }
  // A lastlog is written slot by slot: a few slots that read well at a stride that does not divide the file are
  // more often text read as a time than a lastlog cut short.
  if (!best.fits) {
    throw refuse(
      `Cannot recognise the lastlog layout of ${where}: no lastlog layout whose slot size divides its ${fileSize} bytes decodes its used slots plausibly`,
      scored,
      short,
      [],
    );
  }
  const rivals = scored.filter((s) => s !== best && rankLastlog(s, best) === 0 && s.plausible > 0);
  const size = (s: Score) =>
    s.fits ? `file size a multiple of ${s.layout.size}` : `${fileSize % s.layout.size} trailing bytes`;
  const said = (s: Score, confidence: number) =>
    `${s.plausible} of ${s.sampled} sampled used slots plausible (${Math.round(confidence * 100)}%)${weakness(s)}, ${
      size(s)
    }`;
  if (rivals.length > 0) {
    const tied = [best, ...rivals];
    const chosen = tied.find((s) => s.layout === given);
    if (chosen === undefined) {
      throw refuse(
        `Cannot tell the lastlog layout of ${where}: ${names(tied)} fit equally`,
        scored,
        short,
        tied.map((s) => s.layout.name),
      );
    }
    const confidence = chosen.confidence / 2;
    return {
      layout: chosen.layout,
      confidence,
      reason: `${said(chosen, confidence)}; ${names(tied)} read it equally well, chose the preferred layout`,
    };
  }
  return { layout: best.layout, confidence: best.confidence, reason: said(best, best.confidence) };
}

/** Orders lastlog scores best first: size fit, support, the times ({@link compareTimes}), printable lines. */
function rankLastlog(a: Score, b: Score): number {
  const clean = (s: Score) => s.plausible === 0 ? 0 : s.clean / s.plausible;
  return Number(b.fits) - Number(a.fits) || b.support - a.support || compareTimes(a, b) || clean(b) - clean(a);
}
