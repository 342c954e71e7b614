/**
 * Each C library's utmpx API as the FFI backend must know it: which
 * in-memory struct `getutxent()` returns, and how a file is selected. Data,
 * read when the backend is chosen, before any FFI module is loaded.
 *
 * @module
 */

import type { Layout } from "../layouts/schema.ts";
import { LAYOUTS } from "../layouts/registry.ts";
import { nativeLayoutName } from "../layouts/native.ts";
import { FREEBSD_MEMORY, ILLUMOS_MEMORY, MACOS_MEMORY } from "../layouts/libc_memory.ts";
import { NETBSD_UTMPX } from "../layouts/netbsd.ts";

/** What the backend must know about one C library's utmpx API. */
export interface LibcProfile {
  /** Which C library family. */
  readonly libc: "glibc" | "macos" | "freebsd" | "netbsd" | "illumos";
  /** The in-memory `struct utmpx` that `getutxent()` returns. */
  readonly layout: Layout;
  /** Size of one record in the file, for record offsets. */
  readonly fileRecordSize: number;
  /** Offset of the 16-bit type in a file's first record, when libc requires (and skips) a signature record there. */
  readonly signatureTypeOffset?: number;
  /** How libc selects a file: `utmpxname()` and what it returns on success, or FreeBSD's `setutxdb()`. */
  readonly select: { readonly fn: "utmpxname"; readonly ok: number } | { readonly fn: "setutxdb" };
}

/** `utmpxname()` returns 1 on success on macOS, NetBSD and illumos. */
const UTMPXNAME_1 = { select: { fn: "utmpxname", ok: 1 } } as const;

/** 64-bit CPUs the non-Linux in-memory tables hold for (LP64, little-endian). */
const LP64_LE = new Set(["x64", "x86_64", "amd64", "arm64", "aarch64"]);

/**
 * The utmpx API of an operating system and CPU, or `undefined` where the
 * backend has none: OpenBSD (no utmpx functions), Windows, Android, and the
 * 32-bit or big-endian builds of the BSDs and illumos, whose structs differ.
 *
 * @example Linux and macOS
 * ```ts
 * import { libcProfile } from "./_libc_profile.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(libcProfile("linux", "x64")?.layout.name, "linux");
 * assert.equal(libcProfile("linux", "arm64")?.layout.size, 400);
 * assert.equal(libcProfile("darwin", "arm64")?.layout.name, "macos-memory");
 * assert.equal(libcProfile("openbsd", "x64"), undefined);
 * ```
 *
 * @param os Operating system, as `process.platform` or `Deno.build.os` names it.
 * @param arch CPU architecture, as `process.arch` or `Deno.build.arch` names it.
 * @returns The profile, if known.
 */
export function libcProfile(os: string, arch: string): LibcProfile | undefined {
  if (os === "linux") {
    // glibc's in-memory struct is its file record (384 or 400 bytes by CPU).
    const name = nativeLayoutName(os, arch);
    if (name === undefined) return undefined;
    const layout = LAYOUTS[name];
    return { libc: "glibc", layout, fileRecordSize: layout.size, select: { fn: "utmpxname", ok: 0 } };
  }
  if (!LP64_LE.has(arch)) return undefined;
  switch (os) {
    case "darwin":
      return { libc: "macos", layout: MACOS_MEMORY, fileRecordSize: 628, signatureTypeOffset: 296, ...UTMPXNAME_1 };
    case "freebsd":
      return { libc: "freebsd", layout: FREEBSD_MEMORY, fileRecordSize: 197, select: { fn: "setutxdb" } };
    case "netbsd":
      // NetBSD reads the file record verbatim: its struct is the file layout.
      return { libc: "netbsd", layout: NETBSD_UTMPX, fileRecordSize: 520, signatureTypeOffset: 326, ...UTMPXNAME_1 };
    case "illumos":
    case "solaris":
    case "sunos":
      return { libc: "illumos", layout: ILLUMOS_MEMORY, fileRecordSize: 372, ...UTMPXNAME_1 };
  }
  return undefined;
}
