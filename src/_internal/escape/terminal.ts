/**
 * Text from login records, session files, databases and paths, made safe to
 * show on a terminal: the one escaping rule of the command line's own text
 * (`utmp watch`, logind sessions in `who`, every message on standard error)
 * and of the paths library messages quote. No C tool's output: where a tool
 * has a rule of its own, the file next to this one named after it holds it
 * (util_linux.ts, coreutils.ts, procps.ts; json.ts for `--json`).
 *
 * What is escaped is every character a terminal acts on or that changes how
 * the characters around it are shown: C0 controls (ESC, BEL, CR, LF, TAB,
 * BS, ...), DEL, C1 controls (U+0080–U+009F: CSI, OSC, ... as UTF-8),
 * format characters (Unicode `Cf`: the bidi overrides and isolates U+202A–
 * U+202E and U+2066–U+2069, U+200B–U+200F, the soft hyphen, ...), the line
 * and paragraph separators U+2028/U+2029 and lone surrogates. The visible
 * form: `\xNN` for a C0 control or DEL (one byte), `\uNNNN` (or `\u{NNNNN}`)
 * for the other code points. A backslash is left as it is: the escaping
 * is for the eye, not to be undone.
 *
 * @module
 */

/** One character that must not reach a terminal as it is. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** The visible form of an unsafe character. */
function escaped(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).padStart(cp < 0x80 ? 2 : 4, "0");
  return cp < 0x20 || cp === 0x7f ? `\\x${hex}` : cp > 0xffff ? `\\u{${hex}}` : `\\u${hex}`;
}

/**
 * Text made safe for a terminal: each control, format character, line or
 * paragraph separator and lone surrogate replaced by its escape (see the
 * module notes); everything else as it is.
 *
 * @example A window-title escape from btmp, and a bidi override
 * ```ts
 * import { terminalText } from "./terminal.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(terminalText("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
 * assert.equal(terminalText("\u202eevil"), "\\u202eevil");
 * assert.equal(terminalText("rüdiger"), "rüdiger");
 * ```
 *
 * @param text Text (a JavaScript string).
 * @returns The text, escaped.
 */
export function terminalText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escaped) : text;
}

/**
 * A line of text for standard error made safe for a terminal: as
 * {@link terminalText}, but one newline at its end, which ends the line,
 * is kept.
 *
 * @param line A message, usually ending in "\n".
 * @returns The message, escaped.
 */
export function terminalLine(line: string): string {
  return line.endsWith("\n") ? terminalText(line.slice(0, -1)) + "\n" : terminalText(line);
}

/**
 * A path as messages quote it: in double quotes, made safe for a terminal.
 *
 * @param path A path.
 * @returns `"path"`, escaped.
 */
export function quotePath(path: string): string {
  return `"${terminalText(path)}"`;
}
