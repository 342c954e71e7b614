/**
 * The libc backend under Deno: {@link LIBC_SYMBOLS} through `Deno.dlopen`.
 * The only module that calls `Deno.*` (its permission gate is in
 * _internal/runtime.ts, asked before this module loads); nothing runs at import, so
 * importing the library needs no `--allow-ffi`.
 *
 * Calls are synchronous on the JavaScript thread (never `nonblocking`, which
 * would run them on another thread: FreeBSD keeps utmpx state per thread).
 *
 * @module
 */

import { type FfiBackend, LIBC_SYMBOLS, type LibcSymbol, linkName, type UtmpxLibrary } from "./symbols.ts";
import { openFirst } from "./utmpx.ts";
import { denoEnv, denoFfiPermitted } from "../_internal/runtime.ts";

/** The table as Deno checks it. */
const SYMBOLS = LIBC_SYMBOLS satisfies Deno.ForeignLibraryInterface;

/** The table, each entry with an optional link name. */
type Symbols = { [K in keyof typeof SYMBOLS]: (typeof SYMBOLS)[K] & { name?: string } };

/** The table with the link names of an operating system (NetBSD's `__getutxent50`), as koffi binds them. */
function symbolsFor(os: string): Symbols {
  const entries = Object.entries(SYMBOLS).map(([symbol, definition]) => {
    const name = linkName(os, symbol as LibcSymbol);
    return [symbol, name === symbol ? definition : { ...definition, name }];
  });
  return Object.fromEntries(entries) as Symbols;
}

function bind(path: string, os: string): UtmpxLibrary {
  const lib = Deno.dlopen(path, symbolsFor(os));
  const s = lib.symbols;
  const { utmpxname, setutxdb } = s;
  return {
    path,
    setutxent: () => s.setutxent(),
    getutxent(into: Uint8Array): boolean {
      const pointer = s.getutxent();
      if (pointer === null) return false;
      Deno.UnsafePointerView.copyInto(pointer, into);
      return true;
    },
    endutxent: () => s.endutxent(),
    utmpxname: utmpxname === null ? undefined : (file) => utmpxname(file),
    setutxdb: setutxdb === null ? undefined : (type, file) => setutxdb(type, file),
    close: () => lib.close(),
  };
}

/**
 * `Deno.dlopen`: permitted when `--allow-ffi` is granted; `UTMP_LIBC_PATH` is
 * read when `--allow-env` grants it (both checked without a prompt).
 *
 * @example Is FFI allowed here?
 * ```ts ignore
 * import { DENO_FFI } from "./deno.ts";
 *
 * console.log(DENO_FFI.permitted());
 * ```
 */
export const DENO_FFI: FfiBackend = {
  permitted: denoFfiPermitted,
  env: denoEnv,
  open(candidates: readonly string[], os: string): Promise<UtmpxLibrary> {
    try {
      return Promise.resolve(openFirst(candidates, (path) => bind(path, os)));
    } catch (error) {
      return Promise.reject(error);
    }
  },
};
