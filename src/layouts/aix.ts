/**
 * AIX >= 5 `struct utmp` in /etc/utmp, /var/adm/wtmp and
 * /etc/security/failedlogin: 648 bytes, big-endian (POWER) (FORMATS.md §8).
 *
 * Sources: IBM AIX 7.2 documentation "utmp.h File"
 * (ibm.com/docs ssw_aix_72/filesreference/utmp.h.html); rust-lang/libc @
 * 2eda1e52fe2e `src/unix/aix/mod.rs`, `powerpc64.rs`. Verified: replica struct
 * compiled with gcc (648 bytes at these offsets). No real sample was found; the
 * tests write the documented bytes by hand. (kaitai's `aix_utmp.ksy` declares
 * `ut_pid` as 8 bytes, which does not match IBM's header.)
 *
 * `ut_time` is 8 bytes at 344 either way: a 64-bit `time_t`, or in 32-bit
 * programs an `int __time_t_space` (0) followed by a 32-bit `time_t`, which
 * both read as one big-endian int64. Types are the System V numbers.
 *
 * @module
 */

import { SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/** AIX `struct utmp`: 648 bytes, big-endian. */
export const AIX: Layout<"aix", "utmp"> = defineLayout({
  name: "aix",
  kind: "utmp",
  size: 648,
  endian: "be",
  description: "AIX >= 5 utmp, wtmp and failedlogin: 648 bytes, big-endian",
  source: "IBM AIX 7.2 utmp.h File; rust-lang/libc src/unix/aix; replica struct (gcc)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 256 },
    ut_id: { offset: 256, type: "char", size: 14 },
    ut_line: { offset: 270, type: "char", size: 64 },
    // 334..335: padding.
    ut_pid: { offset: 336, type: "i32" },
    ut_type: { offset: 340, type: "i16" },
    // 342..343: padding.
    tv_sec: { offset: 344, type: "i64" },
    e_termination: { offset: 352, type: "i16" },
    e_exit: { offset: 354, type: "i16" },
    ut_host: { offset: 356, type: "char", size: 256 },
    // 612..647: __dbl_word_pad, __reservedA[2], __reservedV[6].
  },
  types: SYSV_TYPES,
  paths: ["/etc/utmp", "/var/adm/wtmp", "/etc/security/failedlogin"],
});
