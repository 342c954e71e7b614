/**
 * The offsets of the non-Linux tables, checked against the C compiler: each
 * struct is declared as its header or manual page declares it (cited per
 * entry, FORMATS.md §13 "replica structs"), compiled for the ABI that writes
 * it (`-m32` for ILP32, `#pragma pack(2)` for m68k, `packed` for FreeBSD's
 * futx), and gcc's `sizeof`/`offsetof` must equal the table. The values are
 * read from the assembler output, so no 32-bit C library is needed.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { LAYOUTS } from "../../src/layouts/mod.ts";
import { fieldWidth, type LayoutFields } from "../../src/layouts/schema.ts";
import { test } from "../_harness.ts";

interface Replica {
  /** Layout name. */
  layout: keyof typeof LAYOUTS;
  /** Where the declaration was transcribed from. */
  from: string;
  /** Extra compiler flags (the ABI). */
  flags: string[];
  /** C declarations ending with `struct r`. */
  c: string;
  /** Table field -> C member designator. */
  members: Partial<Record<keyof LayoutFields, string>>;
}

const TYPES = `
typedef signed char int8_t; typedef unsigned char uint8_t; typedef short int16_t; typedef unsigned short uint16_t;
typedef int int32_t; typedef unsigned int uint32_t; typedef long long int64_t; typedef unsigned long long uint64_t;
`;

/** NetBSD <sys/socket.h> sockaddr_storage and <sys/time.h> timeval (time_t int64, suseconds_t int). */
const NETBSD_UTMPX = (pad: number) => `
struct sockaddr_storage { uint8_t ss_len; uint8_t ss_family; char __ss_pad1[6]; int64_t __ss_align; char __ss_pad2[112]; };
struct timeval { int64_t tv_sec; int32_t tv_usec; };
struct r {
  char ut_name[32]; char ut_id[4]; char ut_line[32]; char ut_host[256];
  uint16_t ut_session; uint16_t ut_type; int32_t ut_pid;
  struct { uint16_t e_termination; uint16_t e_exit; } ut_exit;
  struct sockaddr_storage ut_ss; struct timeval ut_tv; uint8_t ut_pad[${pad}];
};`;

const UTMPX_MEMBERS = {
  ut_user: "ut_name",
  ut_id: "ut_id",
  ut_line: "ut_line",
  ut_host: "ut_host",
  ut_session: "ut_session",
  ut_type: "ut_type",
  ut_pid: "ut_pid",
  e_termination: "ut_exit.e_termination",
  e_exit: "ut_exit.e_exit",
  ut_addr: "ut_ss",
  tv_sec: "ut_tv.tv_sec",
  tv_usec: "ut_tv.tv_usec",
} as const;

const SYSV_MEMBERS = {
  ut_user: "ut_user",
  ut_id: "ut_id",
  ut_line: "ut_line",
  ut_pid: "ut_pid",
  ut_type: "ut_type",
  e_termination: "ut_exit.e_termination",
  e_exit: "ut_exit.e_exit",
  tv_sec: "ut_time",
} as const;

const BSD_C = "struct r { char ut_line[8]; char ut_name[8]; char ut_host[16]; int32_t ut_time; };";
const BSD_MEMBERS = { ut_line: "ut_line", ut_user: "ut_name", ut_host: "ut_host", tv_sec: "ut_time" } as const;
const LASTLOG_MEMBERS = { tv_sec: "ll_time", ut_line: "ll_line", ut_host: "ll_host" } as const;

const REPLICAS: Replica[] = [
  {
    layout: "linux-m68k",
    from: "glibc bits/utmp.h with m68k's 2-byte alignment (sysdeps/m68k/utmp-size.h: 382)",
    flags: ["-m32"],
    c: `#pragma pack(2)
struct r { int16_t ut_type; int32_t ut_pid; char ut_line[32]; char ut_id[4]; char ut_user[32]; char ut_host[256];
  struct { int16_t e_termination; int16_t e_exit; } ut_exit; int32_t ut_session;
  struct { int32_t tv_sec; int32_t tv_usec; } ut_tv; int32_t ut_addr_v6[4]; char __glibc_reserved[20]; };`,
    members: {
      ut_type: "ut_type",
      ut_pid: "ut_pid",
      ut_line: "ut_line",
      ut_id: "ut_id",
      ut_user: "ut_user",
      ut_host: "ut_host",
      e_termination: "ut_exit.e_termination",
      e_exit: "ut_exit.e_exit",
      ut_session: "ut_session",
      tv_sec: "ut_tv.tv_sec",
      tv_usec: "ut_tv.tv_usec",
      ut_addr: "ut_addr_v6",
    },
  },
  ...(["-m64", "-m32"] as const).map((abi): Replica => ({
    layout: "macos",
    from: `Apple Libc gen/utmpx-darwin.h struct utmpx32 (${abi})`,
    flags: [abi],
    c: `struct timeval32 { int32_t tv_sec; int32_t tv_usec; };
struct r { char ut_user[256]; char ut_id[4]; char ut_line[32]; int32_t ut_pid; int16_t ut_type;
  struct timeval32 ut_tv; char ut_host[256]; uint32_t ut_pad[16]; };`,
    members: {
      ut_user: "ut_user",
      ut_id: "ut_id",
      ut_line: "ut_line",
      ut_pid: "ut_pid",
      ut_type: "ut_type",
      tv_sec: "ut_tv.tv_sec",
      tv_usec: "ut_tv.tv_usec",
      ut_host: "ut_host",
    },
  })),
  {
    layout: "freebsd",
    from: "freebsd-src lib/libc/gen/utxdb.h struct futx (__packed)",
    flags: ["-m64"],
    c: `struct r { uint8_t fu_type; uint64_t fu_tv; char fu_id[8]; uint32_t fu_pid; char fu_user[32]; char fu_line[16];
  char fu_host[128]; } __attribute__((packed));`,
    members: {
      ut_type: "fu_type",
      tv_us: "fu_tv",
      ut_id: "fu_id",
      ut_pid: "fu_pid",
      ut_user: "fu_user",
      ut_line: "fu_line",
      ut_host: "fu_host",
    },
  },
  ...(["-m64", "-m32"] as const).flatMap((abi): Replica[] => [
    {
      layout: "openbsd",
      from: `openbsd/src include/utmp.h struct utmp, 64-bit time_t (${abi})`,
      flags: [abi],
      c: "struct r { char ut_line[8]; char ut_name[32]; char ut_host[256]; int64_t ut_time; };",
      members: BSD_MEMBERS,
    },
    {
      layout: "lastlog-openbsd",
      from: `openbsd/src include/utmp.h struct lastlog (${abi})`,
      flags: [abi],
      c: "struct r { int64_t ll_time; char ll_line[8]; char ll_host[256]; };",
      members: LASTLOG_MEMBERS,
    },
    {
      layout: "netbsd",
      from: `NetBSD include/utmp.h struct utmp, 64-bit time_t (${abi})`,
      flags: [abi],
      c: "struct r { char ut_line[8]; char ut_name[8]; char ut_host[16]; int64_t ut_time; };",
      members: BSD_MEMBERS,
    },
    {
      layout: "lastlog-netbsd",
      from: `NetBSD include/utmp.h struct lastlog (${abi})`,
      flags: [abi],
      c: "struct r { int64_t ll_time; char ll_line[8]; char ll_host[16]; };",
      members: LASTLOG_MEMBERS,
    },
  ]),
  {
    layout: "netbsd-utmpx",
    from: "NetBSD include/utmpx.h struct utmpx, _LP64 (_UTX_PADSIZE 36)",
    flags: ["-m64"],
    c: NETBSD_UTMPX(36),
    members: UTMPX_MEMBERS,
  },
  {
    layout: "netbsd-utmpx32",
    from: "NetBSD include/utmpx.h struct utmpx, ILP32 (_UTX_PADSIZE 40)",
    flags: ["-m32"],
    c: NETBSD_UTMPX(40),
    members: UTMPX_MEMBERS,
  },
  ...(["-m64", "-m32"] as const).map((abi): Replica => ({
    layout: "solaris",
    from: `illumos usr/src/head/utmpx.h struct futmpx (${abi})`,
    flags: [abi],
    c: `struct r { char ut_user[32]; char ut_id[4]; char ut_line[32]; int32_t ut_pid; int16_t ut_type;
  struct { int16_t e_termination; int16_t e_exit; } ut_exit; struct { int32_t tv_sec; int32_t tv_usec; } ut_tv;
  int32_t ut_session; int32_t pad[5]; int16_t ut_syslen; char ut_host[257]; };`,
    members: {
      ...SYSV_MEMBERS,
      tv_sec: "ut_tv.tv_sec",
      tv_usec: "ut_tv.tv_usec",
      ut_session: "ut_session",
      ut_host: "ut_host",
    },
  })),
  {
    layout: "aix",
    from: "IBM AIX 7.2 utmp.h File: struct utmp, 64-bit time_t",
    flags: ["-m64"],
    c: `struct r { char ut_user[256]; char ut_id[14]; char ut_line[64]; int32_t ut_pid; int16_t ut_type; int64_t ut_time;
  struct { int16_t e_termination; int16_t e_exit; } ut_exit; char ut_host[256]; int32_t __dbl_word_pad;
  int32_t __reservedA[2]; int32_t __reservedV[6]; };`,
    members: { ...SYSV_MEMBERS, ut_host: "ut_host" },
  },
  {
    layout: "hpux",
    from: "HP-UX utmp(4): struct utmp on 32-bit PA-RISC",
    flags: ["-m32"],
    c: `struct r { char ut_user[8]; char ut_id[4]; char ut_line[12]; int32_t ut_pid; int16_t ut_type;
  struct { int16_t e_termination; int16_t e_exit; } ut_exit; uint16_t ut_reserved1; int32_t ut_time; char ut_host[16];
  uint32_t ut_addr; };`,
    members: { ...SYSV_MEMBERS, ut_host: "ut_host", ut_addr: "ut_addr" },
  },
  { layout: "bsd", from: "4.3BSD usr/src/include/utmp.h 5.1", flags: ["-m32"], c: BSD_C, members: BSD_MEMBERS },
  {
    layout: "lastlog-bsd",
    from: "4.3BSD usr/src/include/lastlog.h 5.1",
    flags: ["-m32"],
    c: "struct r { int32_t ll_time; char ll_line[8]; char ll_host[16]; };",
    members: LASTLOG_MEMBERS,
  },
  {
    layout: "svr4",
    from: "UnixWare utmp(4); illumos usr/src/head/utmp.h struct futmp",
    flags: ["-m32"],
    c: `struct r { char ut_user[8]; char ut_id[4]; char ut_line[12]; int16_t ut_pid; int16_t ut_type;
  struct { int16_t e_termination; int16_t e_exit; } ut_exit; int32_t ut_time; };`,
    members: SYSV_MEMBERS,
  },
  {
    layout: "v7",
    from: "V7 usr/include/utmp.h (PDP-11: 2-byte alignment)",
    flags: ["-m32"],
    c: "#pragma pack(2)\nstruct r { char ut_line[8]; char ut_name[8]; int32_t ut_time; };",
    members: { ut_line: "ut_line", ut_user: "ut_name", tv_sec: "ut_time" },
  },
  ...(["#pragma pack(2)", ""] as const).map((pack): Replica => ({
    layout: "domainix",
    from: `DOMAIN/IX SYS5 utmp(4) (${pack === "" ? "4-byte" : "2-byte"} alignment)`,
    flags: ["-m32"],
    c: `${pack}
struct r { char ut_user[32]; char ut_id[4]; char ut_line[12]; int16_t ut_pid; int16_t ut_type;
  struct { int16_t e_termination; int16_t e_exit; } ut_exit; int32_t ut_time; char ut_host[32]; };`,
    members: { ...SYSV_MEMBERS, ut_host: "ut_host" },
  })),
];

/** Compiles the replica and returns [sizeof, then offset and size of each member]. */
function compile(replica: Replica): number[] {
  const members = Object.values(replica.members);
  const source = `#include <stddef.h>\n${TYPES}\n${replica.c}\nint values[] = { sizeof(struct r), ${
    members.map((m) => `offsetof(struct r, ${m}), sizeof(((struct r *)0)->${m})`).join(", ")
  } };\n`;
  const cc = spawnSync("cc", [...replica.flags, "-ffreestanding", "-S", "-o", "-", "-x", "c", "-"], {
    input: source,
    encoding: "utf8",
  });
  assert.equal(cc.status, 0, cc.stderr);
  return [...cc.stdout.matchAll(/^\s*\.long\s+(\d+)$/gm)].map((m) => Number(m[1]));
}

const m32 = spawnSync("cc", ["-m32", "-ffreestanding", "-S", "-o", "-", "-x", "c", "-"], { input: "int x;" });
const hasCc = m32.status === 0;

test("LAYOUTS tables match gcc's sizeof and offsetof for the structs their headers declare", () => {
  for (const replica of REPLICAS) {
    const layout = LAYOUTS[replica.layout];
    const [size, ...pairs] = compile(replica);
    const fields = Object.keys(replica.members) as (keyof LayoutFields)[];
    assert.equal(pairs.length, 2 * fields.length, replica.from);
    assert.equal(size, layout.size, `${replica.from}: sizeof`);
    fields.forEach((name, i) => {
      const field = layout.fields[name]!;
      assert.deepEqual([pairs[2 * i], pairs[2 * i + 1]], [field.offset, fieldWidth(field)], `${replica.from}: ${name}`);
    });
    // Every field of the table is checked.
    assert.deepEqual(fields.sort(), Object.keys(layout.fields).sort(), `${replica.from}: fields`);
  }
}, { ignore: !hasCc });
