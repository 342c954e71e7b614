/**
 * System V R2-R4 `struct utmp` (UnixWare, SCO, and Solaris's obsolete
 * `struct futmp` in /var/adm/utmp and wtmp): 36 bytes in native byte order
 * (FORMATS.md §7, §10).
 *
 * Sources: UnixWare 7 utmp(4) (uw714doc.xinuos.com); illumos-gate
 * `usr/src/head/utmp.h` (struct futmp); the SVR2 `utmp.h` in
 * ryanwoodsmall/oldsysv. Verified: replica struct compiled with gcc (36 bytes at
 * these offsets). No real sample was found; the tests write the documented
 * bytes by hand.
 *
 * The record has the size of the 4.3BSD one (`bsd`), and a file of either kind
 * often reads plausibly as both, so `layout: "auto"` never chooses it.
 *
 * @module
 */

import { SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/** System V `struct utmp`, little-endian: UnixWare and SCO on x86. */
export const SVR4: Layout<"svr4", "utmp"> = defineLayout({
  name: "svr4",
  kind: "utmp",
  size: 36,
  endian: "le",
  description: "System V R2-R4 utmp/wtmp (UnixWare, SCO, Solaris futmp on x86): 36 bytes, little-endian",
  source: "UnixWare 7 utmp(4); illumos-gate usr/src/head/utmp.h (struct futmp); replica struct (gcc)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 8 },
    ut_id: { offset: 8, type: "char", size: 4 },
    ut_line: { offset: 12, type: "char", size: 12 },
    ut_pid: { offset: 24, type: "i16" },
    ut_type: { offset: 26, type: "i16" },
    e_termination: { offset: 28, type: "i16" },
    e_exit: { offset: 30, type: "i16" },
    tv_sec: { offset: 32, type: "i32" },
  },
  types: SYSV_TYPES,
  paths: ["/var/adm/utmp", "/var/adm/wtmp", "/etc/utmp", "/etc/wtmp"],
  autodetect: false,
});

/** System V `struct utmp`, big-endian: Solaris futmp on SPARC, 3B2, and other big-endian System V machines. */
export const SVR4_BE: Layout<"svr4-be", "utmp"> = defineLayout({
  ...SVR4,
  name: "svr4-be",
  endian: "be",
  description: "System V R2-R4 utmp/wtmp on big-endian machines (Solaris futmp on SPARC, 3B2): 36 bytes",
});
