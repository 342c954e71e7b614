/**
 * Which C library to load for the libc backend (FORMATS.md §15.1).
 *
 * @module
 */

/** Environment variable naming a C library to try before the defaults. */
export const LIBC_PATH_ENV = "UTMP_LIBC_PATH";

/** Default libraries per operating system; systems without a utmpx API have none. */
const LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  // glibc; musl's loader answers any "libc.*" name with itself, so this finds musl too.
  linux: ["libc.so.6"],
  // Only in the dyld shared cache since macOS 11, where dlopen of the path still works.
  darwin: ["/usr/lib/libSystem.B.dylib"],
  freebsd: ["libc.so.7", "/lib/libc.so.7"],
  netbsd: ["libc.so.12", "/usr/lib/libc.so.12"],
  // The runtime linker picks /lib/64 for a 64-bit process.
  illumos: ["libc.so.1"],
  solaris: ["libc.so.1"],
  sunos: ["libc.so.1"],
};

/** Where to look for the C library. */
export interface LibcLocation {
  /** Operating system, as `process.platform` or `Deno.build.os` names it. */
  os: string;
  /** Environment variables (only {@link LIBC_PATH_ENV} is read). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The C libraries to try, in order: `UTMP_LIBC_PATH` first when set, then
 * the system's own. Empty for systems without a utmpx C API (OpenBSD,
 * Windows, Android, AIX), where only the file backend reads.
 *
 * @example Linux, and an override
 * ```ts
 * import { libcCandidates } from "./libc_path.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(libcCandidates({ os: "linux", env: {} }), ["libc.so.6"]);
 * assert.deepEqual(libcCandidates({ os: "linux", env: { UTMP_LIBC_PATH: "/opt/libc.so.6" } }), [
 *   "/opt/libc.so.6",
 *   "libc.so.6",
 * ]);
 * assert.deepEqual(libcCandidates({ os: "openbsd", env: {} }), []);
 * ```
 *
 * @param location Operating system and environment.
 * @returns Library names or paths.
 */
export function libcCandidates(location: LibcLocation): string[] {
  const defaults = LIBRARIES[location.os] ?? [];
  const override = location.env[LIBC_PATH_ENV];
  if (override === undefined || override === "") return [...defaults];
  return [override, ...defaults.filter((name) => name !== override)];
}
