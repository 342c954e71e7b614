/**
 * The one table of C functions the libc backend binds (FORMATS.md §15.1),
 * in a neutral shape that `deno.ts` hands to `Deno.dlopen` and `koffi.ts`
 * turns into koffi prototypes. No struct is passed by value, so the table
 * needs only `void`, `i32`, `pointer` and `buffer` (a NUL-terminated byte
 * string the caller owns).
 *
 * @module
 */

/** A C type in the table, named as Deno's FFI names it. */
export type NativeType = "void" | "i32" | "pointer" | "buffer";

/** One C function: its parameter and result types. */
export interface SymbolDefinition {
  /** Parameter types, in order. */
  readonly parameters: readonly NativeType[];
  /** Result type. */
  readonly result: NativeType;
  /** True when some libcs lack it (binding it yields nothing instead of failing). */
  readonly optional?: boolean;
}

/**
 * The utmpx functions by C name. Every libc has the first three; a libc
 * selects its file with `utmpxname` (glibc, musl, macOS, NetBSD, illumos) or
 * `setutxdb` (FreeBSD), so both are optional.
 */
export const LIBC_SYMBOLS = {
  /** `void setutxent(void);` opens the database if needed and rewinds it. */
  setutxent: { parameters: [], result: "void" },
  /** `struct utmpx *getutxent(void);` the next record in a static buffer, NULL at the end or on error. */
  getutxent: { parameters: [], result: "pointer" },
  /** `void endutxent(void);` closes the database. */
  endutxent: { parameters: [], result: "void" },
  /** `int utmpxname(const char *file);` selects the file (glibc: 0 / -1; macOS, NetBSD, illumos: 1 / 0). */
  utmpxname: { parameters: ["buffer"], result: "i32", optional: true },
  /** `int setutxdb(int type, const char *file);` FreeBSD: selects and opens the file, 0 / -1. */
  setutxdb: { parameters: ["i32", "buffer"], result: "i32", optional: true },
} as const satisfies Record<string, SymbolDefinition>;

/** A C function name of {@link LIBC_SYMBOLS}. */
export type LibcSymbol = keyof typeof LIBC_SYMBOLS;

/**
 * Link names that differ from the C names. NetBSD's `<utmpx.h>` renames
 * `getutxent` to `__getutxent50` (`__RENAME`); its plain `getutxent` is the
 * NetBSD ≤ 5 compatibility wrapper that rewrites `ut_tv` as two longs.
 */
const LINK_NAMES: Readonly<Record<string, Partial<Record<LibcSymbol, string>>>> = {
  netbsd: { getutxent: "__getutxent50" },
};

/**
 * The name to look a function up by in the C library of an operating system.
 *
 * @example NetBSD's renamed getutxent
 * ```ts
 * import { linkName } from "./symbols.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(linkName("netbsd", "getutxent"), "__getutxent50");
 * assert.equal(linkName("linux", "getutxent"), "getutxent");
 * ```
 *
 * @param os Operating system ("linux", "netbsd", ...).
 * @param symbol C function name.
 * @returns The symbol name in that libc.
 */
export function linkName(os: string, symbol: LibcSymbol): string {
  return LINK_NAMES[os]?.[symbol] ?? symbol;
}

/** FreeBSD `setutxdb` database types (`<utmpx.h>`). */
export const UTXDB = {
  /** /var/run/utx.active: who is logged in. */
  ACTIVE: 0,
  /** /var/log/utx.lastlogin: last login per user. */
  LASTLOGIN: 1,
  /** /var/log/utx.log: history, length-prefixed records. */
  LOG: 2,
} as const;

/**
 * The utmpx functions of one loaded C library, bound by a runtime's FFI.
 * Strings are passed as NUL-terminated byte buffers the caller owns.
 */
export interface UtmpxLibrary {
  /** The library that was loaded (a candidate of `libcCandidates`). */
  readonly path: string;
  /** `setutxent()`. */
  setutxent(): void;
  /**
   * `getutxent()`, copying the returned struct at once (the buffer is static
   * and reused) into `into`, whose length is the struct size.
   *
   * @returns False when libc returned NULL.
   */
  getutxent(into: Uint8Array): boolean;
  /** `endutxent()`. */
  endutxent(): void;
  /** `utmpxname(file)`, where the libc has it. */
  readonly utmpxname: ((file: Uint8Array) => number) | undefined;
  /** `setutxdb(type, file)`, where the libc has it (FreeBSD). */
  readonly setutxdb: ((type: number, file: Uint8Array | null) => number) | undefined;
  /** Unloads the library. */
  close(): void;
}

/** A runtime's FFI, as the libc backend uses it. */
export interface FfiBackend {
  /** Whether FFI may be used now without a prompt (Deno: `--allow-ffi` granted). */
  permitted(): boolean;
  /** An environment variable, or `undefined` when unset or not readable without a prompt. */
  env(name: string): string | undefined;
  /**
   * Loads the first candidate library that opens and binds {@link LIBC_SYMBOLS}.
   *
   * @param candidates Library names or paths, in order.
   * @param os Operating system, for link names.
   * @throws {LibcUnavailableError} When none loads.
   */
  open(candidates: readonly string[], os: string): Promise<UtmpxLibrary>;
}
