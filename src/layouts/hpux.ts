/**
 * HP-UX `struct utmp` in /etc/utmp, /var/adm/wtmp and /var/adm/btmp (HP-UX 9:
 * /etc/wtmp, /etc/btmp): 60 bytes, big-endian (PA-RISC; HP-UX on Itanium also
 * runs big-endian) (FORMATS.md §9).
 *
 * Sources: HP-UX 9.0 and 11i utmp(4) manual pages. Verified: replica struct
 * compiled with gcc (60 bytes at these offsets). No real sample was found; the
 * tests write the documented bytes by hand.
 *
 * `ut_addr` is the remote host's IPv4 address as stored by `inet_addr`
 * (network byte order). Types are the System V numbers. The HP-UX 11 utmpx and
 * "wtmps" records are not covered: no public source gives their layout.
 *
 * @module
 */

import { SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/** HP-UX `struct utmp`: 60 bytes, big-endian. */
export const HPUX: Layout<"hpux", "utmp"> = defineLayout({
  name: "hpux",
  kind: "utmp",
  size: 60,
  endian: "be",
  description: "HP-UX utmp, wtmp and btmp: 60 bytes, big-endian",
  source: "HP-UX 9.0 and 11i utmp(4); replica struct (gcc)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 8 },
    ut_id: { offset: 8, type: "char", size: 4 },
    ut_line: { offset: 12, type: "char", size: 12 },
    ut_pid: { offset: 24, type: "i32" },
    ut_type: { offset: 28, type: "i16" },
    e_termination: { offset: 30, type: "i16" },
    e_exit: { offset: 32, type: "i16" },
    // 34..35: ut_reserved1.
    tv_sec: { offset: 36, type: "i32" },
    ut_host: { offset: 40, type: "char", size: 16 },
    ut_addr: { offset: 56, type: "in4", size: 4 },
  },
  types: SYSV_TYPES,
  paths: ["/etc/utmp", "/var/adm/wtmp", "/var/adm/btmp"],
});
