/**
 * The string fields of a record that is no file's bytes (a logind session,
 * a wtmpdb row) in coreutils `who`'s columns (and `w`'s, `last`'s): the text
 * the tool prints, except that what a terminal acts on is escaped where the
 * C tools print what `cunescape()` gave back raw.
 *
 * @module
 */

import { utf8String } from "../bytes.ts";
import type { UtmpRecord } from "../../record.ts";
import { terminalText } from "./terminal.ts";

/**
 * A string field of a record that is no file's bytes (a logind session, a
 * wtmpdb row), as a byte string with whatever a terminal acts on escaped:
 * `cunescape()` has turned the C escapes logind stores
 * (`REMOTE_HOST=\033]0;...`) back into raw characters. `ut_line` without
 * "/dev/".
 *
 * @param u The record.
 * @param field The field.
 * @returns The byte string to print.
 */
export function terminalField(u: UtmpRecord, field: "ut_user" | "ut_line" | "ut_host"): string {
  const text = field === "ut_line" && u.ut_line.startsWith("/dev/") ? u.ut_line.slice(5) : u[field];
  return utf8String(terminalText(text));
}
