/**
 * util-linux's `fputs_careful`, as `last` and `lastb` (util-linux 2.38.1 and
 * 2.41) print the strings of a record: controls as `*X`, bytes no printable
 * UTF-8 character as `\ooo`, what glibc's `iswprint()` accepts as it is.
 *
 * @module
 */

import { PRINTABLE_RANGES } from "./_iswprint.ts";

/** {@link PRINTABLE_RANGES}, parsed once: first and last code point of each range, ascending. */
let printableRanges: Uint32Array | undefined;

/**
 * Whether glibc's `iswprint()` accepts a code point (U+0080 and up) in a
 * UTF-8 locale, as util-linux asks it: glibc's own table (_iswprint.ts),
 * not today's Unicode categories (glibc prints format characters and private
 * use, and not characters newer than its Unicode version).
 *
 * @param cp A code point.
 * @returns True when glibc's `iswprint()` accepts it.
 */
export function iswprint(cp: number): boolean {
  const ranges = printableRanges ??= Uint32Array.from(PRINTABLE_RANGES.trim().split(/[ -]/), (h) => parseInt(h, 16));
  let lo = 0, hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cp < ranges[2 * mid]!) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * util-linux `fputs_careful(s, stdout, '*')` as Debian's util-linux 2.38.1
 * builds it: printable ASCII, BEL, TAB, CR and LF as they are; another ASCII
 * control byte c as "*" followed by c ^ 0x40; other bytes as a
 * printable multibyte character when the locale is UTF-8, else as `\ooo`.
 *
 * @param s A byte string.
 * @param utf8Locale Whether the locale is UTF-8.
 * @returns The escaped byte string.
 */
export function careful(s: string, utf8Locale: boolean): string {
  // Runs of what passes through unchanged are copied whole; a string with nothing to escape is returned as it is.
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x07 || c === 0x09 || c === 0x0d || c === 0x0a) continue;
    if (c >= 0x80) {
      const n = utf8Locale ? utf8Length(s, i) : 0;
      if (n > 0) {
        i += n - 1;
        continue;
      }
    }
    out += s.slice(from, i) + (c < 0x80 ? "*" + String.fromCharCode(c ^ 0x40) : "\\" + c.toString(8).padStart(3, " "));
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Length of a printable UTF-8 character at `i` of a byte string, or 0. */
function utf8Length(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n === 0 || i + n > s.length) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const b = s.charCodeAt(i + k);
    if ((b & 0xc0) !== 0x80) return 0;
    cp = cp * 64 + (b & 0x3f);
  }
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return 0;
  return iswprint(cp) ? n : 0;
}
