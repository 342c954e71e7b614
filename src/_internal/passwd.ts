/**
 * The password file, as glibc's "files" backend reads it
 * (nss/nss_files/files-pwd.c, files-parse.c): what `lastlog` lists, and the
 * uids `last` and lastlog2 look up. One parser for all three.
 *
 * @module
 */

import { readRegularFile } from "../backends/_record_file.ts";
import { isPermissionDenial } from "./runtime.ts";

/** A password file entry. */
export interface PasswdEntry {
  /** `pw_name`, in whatever form the caller decoded the file (byte string or UTF-8). */
  name: string;
  /** `pw_uid`. */
  uid: number;
}

/** A NIS compat entry ("+name", "-name", "+"): it names no local user. */
const isCompat = (name: string): boolean => name[0] === "+" || name[0] === "-";

/** C `isspace` in the C locale. */
const SPACE = /^[ \t\n\v\f\r]+/;

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
  for (const raw of text.split("\n")) {
    const line = raw.replace(SPACE, "");
    if (line === "" || line[0] === "#") continue;
    const entry = parseLine(line);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

/** files-pwd.c's LINE_PARSER, up to the gid (the later fields always parse). */
function parseLine(line: string): PasswdEntry | undefined {
  const fields = line.split(":");
  const name = fields[0]!;
  const compat = isCompat(name);
  if (compat && fields.length === 1) return { name, uid: 0 };
  // A compat entry may leave uid and gid empty (0), but not end the line there (INT_FIELD_MAYBE_NULL).
  const uid = number(fields[2], compat && fields.length > 3);
  if (uid === undefined || number(fields[3], compat && fields.length > 4) === undefined) return undefined;
  return { name, uid };
}

/**
 * A whole field as files-parse.c's INT_FIELD reads it: `strtoul` (leading
 * white space and a sign allowed, nothing after the digits), refused beyond
 * a 32-bit `uid_t`/`gid_t`, so "-1" and 4294967296 are no number and "-0" is
 * 0.
 */
function number(field: string | undefined, emptyIsZero: boolean): number | undefined {
  if (field === undefined) return undefined;
  if (field === "") return emptyIsZero ? 0 : undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(field);
  if (m === null) return undefined;
  const ULONG = 1n << 64n;
  let value = BigInt(m[2]!);
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
  for (const { name, uid } of passwdEntries(text)) {
    if (!isCompat(name) && !uids.has(name)) uids.set(name, uid);
  }
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
  for (const { name, uid } of passwdEntries(text)) {
    if (!isCompat(name) && !names.has(uid)) names.set(uid, name);
  }
  return names;
}

/**
 * A password file's text (UTF-8), or "" when it cannot be read: a missing
 * password file names no one. A permission denial is thrown (Deno's
 * `--allow-read` is wanted).
 *
 * @param path The password file.
 * @param noFollow Refuse a symbolic link as its last component (a path resolved under a root).
 * @returns Its content.
 */
export async function readPasswd(path: string, noFollow = false): Promise<string> {
  try {
    return new TextDecoder().decode(await readRegularFile(path, { noFollow }));
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return "";
  }
}
