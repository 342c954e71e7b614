/**
 * procps-ng's escaping (4.0.2 and 4.0.4), as `w` prints a process's command
 * line: `escape_str` and `fill_cmdline_cvt`.
 *
 * @module
 */

/** procps `UTF_tab`: the length of a UTF-8 sequence by its first byte, -1 for a byte no sequence starts with. */
function utfLength(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0xc2) return -1;
  if (c < 0xe0) return 2;
  if (c < 0xf0) return 3;
  if (c < 0xf5) return 4;
  return -1;
}

/** procps `esc_all`: every byte that is not printable ASCII as "." (controls) or "?" (the rest). */
function escapeAll(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f ? s[i] : c < 0x80 ? "." : "?";
  }
  return out;
}

/**
 * procps `escape_str`, what `ps`, `top` and `w` print a command with: in a
 * UTF-8 locale, control characters as "?" (and from a byte no UTF-8
 * sequence starts with, or one cut short, on, as in any other locale); in
 * any other locale, control characters as "." and bytes above 0x7f as "?".
 *
 * @param s A byte string.
 * @param utf8 Whether the locale's character set is UTF-8.
 * @returns The escaped byte string.
 */
function escapeCommand(s: string, utf8: boolean): string {
  if (!utf8) return escapeAll(s);
  let out = "";
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    const n = utfLength(c);
    if (n < 0 || i + n > s.length) return out + escapeAll(s.slice(i));
    out += (c < 0x20 || c === 0x7f ? "?" : s[i]) + s.slice(i + 1, i + n);
    i += n;
  }
  return out;
}

/**
 * procps `fill_cmdline_cvt`: a process's arguments, escaped; for a process
 * without arguments (a kernel thread, a zombie) its name in brackets, and
 * " <defunct>" after a zombie's.
 *
 * @param p The process.
 * @param cmdline Its arguments, NULs made spaces (`Machine.cmdline` of sources/_proc.ts).
 * @param utf8 Whether the locale's character set is UTF-8.
 * @returns The command as `w` shows it (a byte string).
 */
export function commandOf(p: { comm: string; state: string }, cmdline: string, utf8: boolean): string {
  if (cmdline !== "") return escapeCommand(cmdline, utf8) || "?";
  return "[" + escapeCommand(p.comm, utf8) + "]" + (p.state === "Z" ? " <defunct>" : "");
}
