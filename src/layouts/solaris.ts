/**
 * Solaris and illumos `struct futmpx`, "the utmp file contents using
 * fixed-width data types", in /var/adm/utmpx and /var/adm/wtmpx: 372 bytes in
 * native byte order, big-endian on SPARC and little-endian on x86 (FORMATS.md
 * §7).
 *
 * Sources: illumos/illumos-gate `usr/src/head/utmpx.h` @ 0ceaf3833319 (struct
 * futmpx), `usr/src/lib/libc/port/gen/getutx.c` @ 6040a68c1ef2. Verified:
 * replica struct compiled with gcc (372 bytes at these offsets). No real sample
 * is in the fixture corpus; the tests write the documented bytes by hand.
 *
 * The padding at 78..79 and 371 and the 20 bytes of `pad` at 92 may hold
 * garbage in real files. `ut_syslen` at 112 (meant to be strlen(host) + 1) is
 * not used. Types are the System V numbers plus DOWN_TIME 10. RUN_LVL keeps the
 * new and previous run levels as characters in e_termination and e_exit; lines
 * are text such as "run-level 3", "system boot" and "system down". The
 * obsolete /var/adm/utmp and wtmp hold the 36-byte `struct futmp`, which is the
 * `svr4` layout.
 *
 * @module
 */

import { SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/** Solaris/illumos `struct futmpx` on SPARC: 372 bytes, big-endian. */
export const SOLARIS: Layout<"solaris", "utmp"> = defineLayout({
  name: "solaris",
  kind: "utmp",
  size: 372,
  endian: "be",
  description: "Solaris/illumos utmpx and wtmpx on SPARC: 372-byte futmpx, big-endian",
  source: "illumos-gate usr/src/head/utmpx.h (struct futmpx); replica struct (gcc)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 32 },
    ut_id: { offset: 32, type: "char", size: 4 },
    ut_line: { offset: 36, type: "char", size: 32 },
    ut_pid: { offset: 68, type: "i32" },
    ut_type: { offset: 72, type: "i16" },
    e_termination: { offset: 74, type: "i16" },
    e_exit: { offset: 76, type: "i16" },
    // 78..79: padding.
    tv_sec: { offset: 80, type: "i32" },
    tv_usec: { offset: 84, type: "i32" },
    ut_session: { offset: 88, type: "i32" },
    // 92..111: pad[5]; 112..113: ut_syslen.
    ut_host: { offset: 114, type: "char", size: 257 },
    // 371: tail padding.
  },
  types: Object.freeze({ ...SYSV_TYPES, 10: "DOWN_TIME" }),
  paths: ["/var/adm/utmpx", "/var/adm/wtmpx"],
});

/** Solaris/illumos `struct futmpx` on x86 and amd64: 372 bytes, little-endian. */
export const SOLARIS_LE: Layout<"solaris-le", "utmp"> = defineLayout({
  ...SOLARIS,
  name: "solaris-le",
  endian: "le",
  description: "Solaris/illumos utmpx and wtmpx on x86: 372-byte futmpx, little-endian",
});
