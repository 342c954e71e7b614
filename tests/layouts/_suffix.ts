/**
 * The cut-suffix property of detection: every suffix of a file cut at a
 * record boundary (what log rotation and a truncated copy leave) is detected
 * as the same layout as the whole file, or refused — never as another
 * layout. A suffix whose content cannot tell (all zero: confidence 0, the
 * preferred layout taken) makes no claim and passes too.
 *
 * @module
 */

import { UtmpFormatError } from "../../mod.ts";
import {
  DETECT_BYTES,
  type Detection,
  detectionRegions,
  detectLastlogLayout,
  detectLayout,
  LAYOUTS,
} from "../../src/layouts/mod.ts";
import { scanFrames } from "../../src/layouts/_framing.ts";

/** What a detector made of some bytes: a layout name with its confidence, or a refusal. */
export type Verdict = { layout: string; confidence: number } | { refused: string };

/** Detection of login records over the bytes a reader reads (the first {@link DETECT_BYTES}). */
export function utmpVerdict(bytes: Uint8Array, now?: number): Verdict {
  return verdict(() => detectLayout(bytes.subarray(0, DETECT_BYTES), bytes.length, now === undefined ? {} : { now }));
}

/** Detection of a lastlog over the regions `LastlogFile` reads (first and last megabyte). */
export function lastlogVerdict(bytes: Uint8Array, now?: number): Verdict {
  const samples = detectionRegions("lastlog", bytes.length).map(({ offset, length }) => ({
    offset,
    bytes: bytes.subarray(offset, offset + length),
  }));
  return verdict(() => detectLastlogLayout(samples, bytes.length, now === undefined ? {} : { now }));
}

function verdict(detect: () => Detection): Verdict {
  try {
    const d = detect();
    return { layout: d.layout.name, confidence: d.confidence };
  } catch (error) {
    if (error instanceof UtmpFormatError) return { refused: error.message };
    throw error;
  }
}

/** Every distinct record size of the registry, smallest first. */
const SIZES = [...new Set(Object.values(LAYOUTS).map((l) => l.size))].sort((a, b) => a - b);

/**
 * The record boundaries of a file (offsets after 0 and before its end): its
 * frames for FreeBSD's utx.log, multiples of its layout's size, or, when no
 * detector gives it a layout, multiples of every record size there is.
 */
export function boundaries(bytes: Uint8Array, layout: string | undefined): number[] {
  const l = layout === undefined ? undefined : LAYOUTS[layout as keyof typeof LAYOUTS];
  if (l?.framing === "u16be") return scanFrames(bytes, l.size).frames.map((f) => f.start).filter((o) => o > 0);
  const sizes = l === undefined ? SIZES : [l.size];
  const cuts = new Set<number>();
  for (const size of sizes) for (let at = size; at < bytes.length; at += size) cuts.add(at);
  return [...cuts].sort((a, b) => a - b);
}

/** A suffix whose verdict breaks the property. */
export interface Violation {
  /** "utmp" or "lastlog" detection. */
  detector: "utmp" | "lastlog";
  /** Where the suffix starts. */
  offset: number;
  /** The whole file's verdict. */
  whole: Verdict;
  /** The suffix's. */
  suffix: Verdict;
}

/** Whether a suffix's verdict keeps the property against the whole file's. */
function keeps(whole: Verdict, suffix: Verdict): boolean {
  if ("refused" in suffix) return true;
  if (suffix.confidence === 0) return true; // the content could not tell: no claim
  return "layout" in whole && whole.layout === suffix.layout;
}

/**
 * Checks the property for both detectors over one file, at the record
 * boundaries of the layout either detector finds for the whole file.
 *
 * @param bytes The file.
 * @param now The time to judge at (default: the clock).
 * @returns The suffixes that break it (none when it holds), and how many were checked.
 */
/**
 * A fixed "now" for detection over fixed bytes (fixtures, tables of slots):
 * detection takes times up to a year ahead of the clock as plausible, so the
 * same bytes must be judged at the same moment whenever the tests run.
 */
export const JUDGED_AT: number = Date.UTC(2026, 11, 1) / 1000;

export function cutSuffixViolations(bytes: Uint8Array, now?: number): { violations: Violation[]; checked: number } {
  const whole = { utmp: utmpVerdict(bytes, now), lastlog: lastlogVerdict(bytes, now) };
  const known = [whole.utmp, whole.lastlog].find((v): v is { layout: string; confidence: number } =>
    "layout" in v && v.confidence > 0
  );
  const violations: Violation[] = [];
  const cuts = boundaries(bytes, known?.layout);
  for (const offset of cuts) {
    const suffix = bytes.subarray(offset);
    for (const detector of ["utmp", "lastlog"] as const) {
      const v = detector === "utmp" ? utmpVerdict(suffix, now) : lastlogVerdict(suffix, now);
      if (!keeps(whole[detector], v)) violations.push({ detector, offset, whole: whole[detector], suffix: v });
    }
  }
  return { violations, checked: cuts.length };
}
