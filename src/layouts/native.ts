/**
 * The layouts this machine's C library writes: its utmp (utmpx) struct and
 * its lastlog slot, from the operating system and CPU architecture. Used as
 * the preference where a file's content cannot tell (an empty file), and to
 * pick the C library backend's struct.
 *
 * @module
 */

import type { LastlogLayoutName, UtmpLayoutName } from "./registry.ts";

/**
 * The layout the local C library writes its utmp (utmpx) in, from the
 * operating system and CPU architecture (as `process.platform`/`process.arch`
 * or `Deno.build` name them), or `undefined` when no layout is known for them.
 *
 * @example Linux architectures and other systems
 * ```ts
 * import { nativeLayoutName } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nativeLayoutName("linux", "x86_64"), "linux");
 * assert.equal(nativeLayoutName("linux", "arm64"), "linux64");
 * assert.equal(nativeLayoutName("linux", "s390x"), "linux64-be");
 * assert.equal(nativeLayoutName("darwin", "arm64"), "macos");
 * assert.equal(nativeLayoutName("netbsd", "ia32"), "netbsd-utmpx32");
 * ```
 *
 * @param os Operating system ("linux", "darwin", "freebsd", ...).
 * @param arch CPU architecture ("x86_64"/"x64", "aarch64"/"arm64", ...).
 * @returns The layout name, if known.
 */
export function nativeLayoutName(os: string, arch: string): UtmpLayoutName | undefined {
  const ilp32 = ["ia32", "x86", "i386", "i686", "arm", "ppc", "mips", "mipsel"].includes(arch);
  switch (os) {
    case "linux":
      return linuxLayoutName(arch);
    case "darwin":
      return arch === "ppc" || arch === "ppc64" ? "macos-be" : "macos";
    case "freebsd":
      return "freebsd";
    case "openbsd":
      return "openbsd";
    case "netbsd":
      return ilp32 ? "netbsd-utmpx32" : "netbsd-utmpx";
    case "sunos":
    case "solaris":
    case "illumos":
      return arch.startsWith("sparc") ? "solaris" : "solaris-le";
    case "aix":
      return "aix";
  }
  return undefined;
}

function linuxLayoutName(arch: string): UtmpLayoutName | undefined {
  switch (arch) {
    case "x64":
    case "x86_64":
    case "ia32":
    case "x86":
    case "arm":
    case "riscv64":
    case "riscv32":
    case "ppc64le":
    case "mipsel":
    case "mips64el":
      return "linux";
    case "arm64":
    case "aarch64":
    case "loong64":
    case "loongarch64":
      return "linux64";
    case "s390x":
    case "s390":
      return "linux64-be";
    case "ppc":
    case "ppc64":
    case "mips":
    case "mips64":
    case "sparc":
    case "sparc64":
      return "linux-be";
    case "m68k":
      return "linux-m68k";
  }
  return undefined;
}

/**
 * The lastlog layout the local C library writes, or `undefined` when the
 * system keeps no flat lastlog file in a known layout (macOS, FreeBSD).
 * Linux's follows its utmp: 292-byte slots where the utmp record is 384
 * bytes (m68k's 382 included), 296 where it is 400, in the CPU's byte order.
 *
 * @example Linux and the BSDs
 * ```ts
 * import { nativeLastlogLayoutName } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nativeLastlogLayoutName("linux", "x64"), "lastlog-linux");
 * assert.equal(nativeLastlogLayoutName("linux", "arm64"), "lastlog-linux64");
 * assert.equal(nativeLastlogLayoutName("linux", "ppc64"), "lastlog-linux-be");
 * assert.equal(nativeLastlogLayoutName("linux", "s390x"), "lastlog-linux64-be");
 * assert.equal(nativeLastlogLayoutName("openbsd", "x64"), "lastlog-openbsd");
 * assert.equal(nativeLastlogLayoutName("darwin", "arm64"), undefined);
 * ```
 *
 * @param os Operating system ("linux", "openbsd", ...).
 * @param arch CPU architecture ("x64", "arm64", ...).
 * @returns The lastlog layout name, if known.
 */
export function nativeLastlogLayoutName(os: string, arch: string): LastlogLayoutName | undefined {
  switch (os) {
    case "linux": {
      switch (linuxLayoutName(arch)) {
        case "linux":
          return "lastlog-linux";
        case "linux64":
          return "lastlog-linux64";
        case "linux-be":
        case "linux-m68k":
          return "lastlog-linux-be";
        case "linux64-be":
          return "lastlog-linux64-be";
      }
      return undefined;
    }
    case "openbsd":
      return "lastlog-openbsd";
    case "netbsd":
      return "lastlog-netbsd";
    case "sunos":
    case "solaris":
    case "illumos":
      return arch.startsWith("sparc") ? undefined : "lastlog-bsd";
  }
  return undefined;
}
