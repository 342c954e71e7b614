/**
 * Apollo DOMAIN/IX "SYS5" `struct utmp`, as its utmp(4) manual page
 * (printed 12/4/86; `../shared/seeds/004_510716753824520e.txt`) declares it:
 * the System V record with `ut_user` widened to 32 bytes and a 32-byte
 * `ut_host` added; 92 bytes, big-endian (m68k) (FORMATS.md §10).
 *
 * Every field already sits at a multiple of its natural alignment, so the
 * size is 92 with the m68k's 2-byte alignment and with 4-byte alignment alike
 * (replica struct compiled with gcc both ways). The layout was not found in any
 * other public source and no real sample exists; the tests write the
 * documented bytes by hand. Types are the System V numbers.
 *
 * @module
 */

import { SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/** DOMAIN/IX SYS5 `struct utmp`: 92 bytes, big-endian. */
export const DOMAINIX: Layout<"domainix", "utmp"> = defineLayout({
  name: "domainix",
  kind: "utmp",
  size: 92,
  endian: "be",
  description: "Apollo DOMAIN/IX SYS5 utmp: 92 bytes, big-endian (m68k)",
  source: "DOMAIN/IX SYS5 utmp(4) manual page (12/4/86); replica struct (gcc, 2- and 4-byte alignment)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 32 },
    ut_id: { offset: 32, type: "char", size: 4 },
    ut_line: { offset: 36, type: "char", size: 12 },
    ut_pid: { offset: 48, type: "i16" },
    ut_type: { offset: 50, type: "i16" },
    e_termination: { offset: 52, type: "i16" },
    e_exit: { offset: 54, type: "i16" },
    tv_sec: { offset: 56, type: "i32" },
    ut_host: { offset: 60, type: "char", size: 32 },
  },
  types: SYSV_TYPES,
  paths: ["/etc/utmp"],
});
