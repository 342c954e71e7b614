/**
 * The FFI of this runtime, for the JSR build: `Deno.dlopen` under Deno, none
 * elsewhere (the npm build replaces this module with `_ffi_select.node.ts`,
 * which adds koffi for Node and Bun). The binding loads when first opened.
 *
 * @module
 */

import { denoEnv, denoFfiPermitted, runtime } from "../_internal/runtime.ts";
import type { FfiBackend } from "../ffi/symbols.ts";
import { lazyFfi } from "./_ffi_lazy.ts";

/** The runtime's FFI, or `undefined` where the libc backend cannot run. */
export const FFI: FfiBackend | undefined = runtime === "deno"
  ? lazyFfi({ permitted: denoFfiPermitted, env: denoEnv }, async () => (await import("../ffi/deno.ts")).DENO_FFI)
  : undefined;
