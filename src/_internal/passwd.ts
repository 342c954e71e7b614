/**
 * The password file, as glibc's "files" backend reads it
 * (nss/nss_files/files-pwd.c, files-parse.c): what `lastlog` lists, and the
 * uids `last` and lastlog2 look up. One parser for all three; one reader,
 * `Root.passwd` (sources/_root.ts).
 *
 * @module
 */

/** A password file entry. */
export interface PasswdEntry {
  /** `pw_name`, in whatever form the caller decoded the file (byte string or UTF-8). */
  name: string;
  /** `pw_uid`. */
  uid: number;
}

/** A NIS compat entry ("+name", "-name", "+"): it names no local user. */
const isCompat = (name: string): boolean => name[0] === "+" || name[0] === "-";

/**
 * A password file's entries in file order, as `getpwent` returns them from
 * files: leading white space skipped; blank lines and "#" comments skipped;
 * a line whose uid or gid is not a number (strtoul) skipped. NIS compat
 * entries ("+name", "-name") are entries too: a bare "+" or "+name" line has
 * uid 0, and so has an empty uid or gid that is not the last field.
 *
 * @example
 * ```ts ignore
 * passwdEntries("root:x:0:0::/root:/bin/sh\n# comment\nbob:x:1000:1000::/:/bin/sh\n");
 * // [{ name: "root", uid: 0 }, { name: "bob", uid: 1000 }]
 * ```
 *
 * @param text The file's content.
 * @returns Its entries.
 */
export function passwdEntries(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  eachEntry(text, (entry) => void entries.push(entry));
  return entries;
}

/**
 * Calls `visit` with each entry of {@link passwdEntries}, in file order,
 * without holding them: line by line with indexOf, each line's first
 * fields only, no array of every line or field and no big number per line
 * (a 62 MB password file took 7 s and 435 MB).
 */
function eachEntry(text: string, visit: (entry: PasswdEntry) => void): void {
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    let from = start;
    while (from < end && isSpace(text.charCodeAt(from))) from++;
    if (from < end && text[from] !== "#") {
      const entry = parseLine(text.slice(from, end));
      if (entry !== undefined) visit(entry);
    }
    start = end + 1;
  }
}

/** C `isspace` in the C locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** files-pwd.c's LINE_PARSER, up to the gid (the later fields always parse). */
function parseLine(line: string): PasswdEntry | undefined {
  // Where the first four colons are: name, password, uid and gid are the fields between them.
  const c1 = line.indexOf(":");
  const name = c1 === -1 ? line : line.slice(0, c1);
  const compat = isCompat(name);
  if (c1 === -1) return compat ? { name, uid: 0 } : undefined;
  const c2 = line.indexOf(":", c1 + 1);
  const c3 = c2 === -1 ? -1 : line.indexOf(":", c2 + 1);
  const c4 = c3 === -1 ? -1 : line.indexOf(":", c3 + 1);
  const field = (from: number, to: number) =>
    from === -1 ? undefined : line.slice(from + 1, to === -1 ? undefined : to);
  // A compat entry may leave uid and gid empty (0), but not end the line there (INT_FIELD_MAYBE_NULL).
  const uid = number(field(c2, c3), compat && c3 !== -1);
  if (uid === undefined || number(field(c3, c4), compat && c4 !== -1) === undefined) return undefined;
  return { name, uid };
}

/** The largest `unsigned long` (2^64 - 1) as a decimal string's length: 20 digits. */
const ULONG_DIGITS = 20;

/**
 * A whole field as files-parse.c's INT_FIELD reads it: `strtoul` (leading
 * white space and a sign allowed, nothing after the digits), refused beyond
 * a 32-bit `uid_t`/`gid_t`, so "-1" and 4294967296 are no number and "-0" is
 * 0.
 */
function number(field: string | undefined, emptyIsZero: boolean): number | undefined {
  if (field === undefined) return undefined;
  if (field === "") return emptyIsZero ? 0 : undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)0*(\d*)$/.exec(field);
  if (m === null || (m[2] === "" && !/\d/.test(field))) return undefined;
  const digits = m[2]!;
  // Up to 10 digits: exact as a number. A negated value wraps modulo 2^64 (strtoul), within 32 bits only for 0
  // and for the 20-digit values just below 2^64.
  if (digits.length <= 10) {
    const value = digits === "" ? 0 : Number(digits);
    if (m[1] !== "-" || value === 0) return value <= 0xffffffff ? value : undefined;
    return undefined;
  }
  if (digits.length > ULONG_DIGITS) return undefined;
  const ULONG = 1n << 64n;
  let value = BigInt(digits);
  if (value >= ULONG) return undefined;
  if (m[1] === "-") value = (ULONG - value) % ULONG;
  return value <= 0xffffffffn ? Number(value) : undefined;
}

/**
 * `getpwnam(name)->pw_uid` for every name: the first entry of a name wins,
 * as in a lookup. Compat entries ("+name", "-name") are left out: they name
 * no local user.
 *
 * @param text The file's content.
 * @returns Uids by name.
 */
export function uidsByName(text: string): Map<string, number> {
  const uids = new Map<string, number>();
  eachEntry(text, ({ name, uid }) => {
    if (!isCompat(name) && !uids.has(name)) uids.set(name, uid);
  });
  return uids;
}

/**
 * `getpwuid(uid)->pw_name` for every uid: the first entry of a uid wins, as
 * in a lookup; compat entries are left out.
 *
 * @param text The file's content.
 * @returns Names by uid.
 */
export function namesByUid(text: string): Map<number, string> {
  const names = new Map<number, string>();
  eachEntry(text, ({ name, uid }) => {
    if (!isCompat(name) && !names.has(uid)) names.set(uid, name);
  });
  return names;
}
