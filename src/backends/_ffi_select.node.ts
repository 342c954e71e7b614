/**
 * The FFI of this runtime, for the npm build (it replaces `_ffi_select.ts`
 * there): `Deno.dlopen` when the package runs under Deno, else koffi (Node,
 * Bun). The binding loads when first opened.
 *
 * @module
 */

import { denoEnv, denoFfiPermitted, runtime, tryGetEnv } from "../_internal/runtime.ts";
import type { FfiBackend } from "../ffi/symbols.ts";
import { lazyFfi } from "./_ffi_lazy.ts";

/** The runtime's FFI, or `undefined` where the libc backend cannot run. */
export const FFI: FfiBackend | undefined = runtime === "deno"
  ? lazyFfi({ permitted: denoFfiPermitted, env: denoEnv }, async () => (await import("../ffi/deno.ts")).DENO_FFI)
  // koffi: always permitted (Node and Bun have no FFI permission); one that cannot load is reported by open().
  : lazyFfi({ permitted: () => true, env: tryGetEnv }, async () => (await import("../ffi/koffi.ts")).KOFFI_FFI);
