/**
 * 7th Edition Unix (1979) and 32V `struct utmp`: line[8], name[8], a 32-bit
 * `ut_time`; 20 bytes (FORMATS.md §10). On the PDP-11 a `long` is stored
 * PDP-endian: two 16-bit words, the most significant first, each word
 * little-endian (0x0A0B0C0D is stored as 0B 0A 0D 0C).
 *
 * Sources: V7 `usr/include/utmp.h` (retro11.de ouxr/u7ed, tuhs.org V7M).
 * Verified: replica struct compiled with gcc (20 bytes). No real sample was
 * found; the tests write the documented bytes by hand.
 *
 * No type field (it is derived, see `deriveType`) and no magic, so
 * `layout: "auto"` never chooses it. 32V on the VAX wrote the same record with
 * a plain little-endian time, which this layout does not read.
 *
 * @module
 */

import { NO_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";
import { deriveType } from "./bsd.ts";

/** V7 `struct utmp`, 20 bytes, PDP-endian time. */
export const V7: Layout<"v7", "utmp"> = defineLayout({
  name: "v7",
  kind: "utmp",
  size: 20,
  endian: "pdp",
  description: "7th Edition Unix on the PDP-11: 20 bytes, PDP-endian time, no type",
  source: "V7 usr/include/utmp.h (struct utmp { char ut_line[8]; char ut_name[8]; long ut_time; })",
  fields: {
    ut_line: { offset: 0, type: "char", size: 8 },
    ut_user: { offset: 8, type: "char", size: 8 },
    tv_sec: { offset: 16, type: "i32" },
  },
  types: NO_TYPES,
  deriveType,
  paths: ["/etc/utmp", "/usr/adm/wtmp"],
  autodetect: false,
});
