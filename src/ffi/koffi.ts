/**
 * The libc backend under Node and Bun: {@link LIBC_SYMBOLS} through koffi,
 * an optional npm dependency imported on first use (inside `try`, so a
 * missing koffi is a `LibcUnavailableError` and `backend: "auto"` reads the
 * file instead). Its C prototypes are derived from the same table as Deno's.
 * Part of the npm build only (`backends/_ffi_select.node.ts`).
 *
 * @module
 */

import { LibcUnavailableError } from "../errors.ts";
import { tryGetEnv } from "../_internal/runtime.ts";
import {
  type FfiBackend,
  LIBC_SYMBOLS,
  type LibcSymbol,
  linkName,
  type NativeType,
  type SymbolDefinition,
  type UtmpxLibrary,
} from "./symbols.ts";
import { openFirst } from "./utmpx.ts";

/** The part of koffi's API this module uses. */
interface Koffi {
  load(path: string): KoffiLibrary;
  array(type: string, length: number, hint: "Typed"): unknown;
  decode(pointer: unknown, type: unknown): Uint8Array;
}

interface KoffiLibrary {
  func(name: string, result: string, parameters: string[]): (...args: unknown[]) => unknown;
  unload(): void;
}

/** The table's types as koffi's C type names (a `buffer` is passed as a Uint8Array). */
const KOFFI_TYPES: Readonly<Record<NativeType, string>> = {
  void: "void",
  i32: "int",
  pointer: "void *",
  buffer: "const uint8_t *",
};

let koffi: Promise<Koffi> | undefined;

function importKoffi(): Promise<Koffi> {
  koffi ??= import("koffi" as string).then((m: { default?: Koffi } & Koffi) => m.default ?? m);
  return koffi;
}

function bind(k: Koffi, path: string, os: string): UtmpxLibrary {
  const lib = k.load(path);
  try {
    const fn = (symbol: LibcSymbol): ((...args: unknown[]) => unknown) | undefined => {
      const def: SymbolDefinition = LIBC_SYMBOLS[symbol];
      try {
        return lib.func(linkName(os, symbol), KOFFI_TYPES[def.result], def.parameters.map((p) => KOFFI_TYPES[p]));
      } catch (error) {
        if (def.optional) return undefined;
        throw error;
      }
    };
    const setutxent = fn("setutxent")!;
    const getutxent = fn("getutxent")!;
    const endutxent = fn("endutxent")!;
    const utmpxname = fn("utmpxname");
    const setutxdb = fn("setutxdb");
    const arrays = new Map<number, unknown>();
    return {
      path,
      setutxent: () => void setutxent(),
      getutxent(into: Uint8Array): boolean {
        const pointer = getutxent();
        if (pointer === null) return false;
        let type = arrays.get(into.length);
        if (type === undefined) arrays.set(into.length, type = k.array("uint8_t", into.length, "Typed"));
        into.set(k.decode(pointer, type));
        return true;
      },
      endutxent: () => void endutxent(),
      utmpxname: utmpxname && ((file) => utmpxname(file) as number),
      setutxdb: setutxdb && ((type, file) => setutxdb(type, file) as number),
      close: () => lib.unload(),
    };
  } catch (error) {
    lib.unload();
    throw error;
  }
}

/**
 * koffi (Node, Bun). Always permitted: Node and Bun have no FFI permission;
 * a koffi that cannot load is reported by {@link FfiBackend.open}.
 *
 * @example Reading the database through koffi
 * ```ts ignore
 * import { KOFFI_FFI } from "./koffi.ts";
 *
 * const libc = await KOFFI_FFI.open(["libc.so.6"], "linux");
 * libc.close();
 * ```
 */
export const KOFFI_FFI: FfiBackend = {
  permitted: () => true,
  env: tryGetEnv,
  async open(candidates: readonly string[], os: string): Promise<UtmpxLibrary> {
    let k: Koffi;
    try {
      k = await importKoffi();
    } catch (error) {
      throw new LibcUnavailableError(
        `Cannot load the C library: the optional npm package "koffi" is not installed (npm install koffi); use backend "file"`,
        [...candidates],
        error,
      );
    }
    return openFirst(candidates, (path) => bind(k, path, os));
  },
};
