/**
 * The FFI of this runtime, for the npm build (it replaces `select.ts` there):
 * `Deno.dlopen` when the package runs under Deno, else koffi (Node, Bun).
 *
 * @module
 */

import { runtime } from "../_internal/runtime.ts";
import { DENO_FFI } from "./deno.ts";
import { KOFFI_FFI } from "./koffi.ts";
import type { FfiBackend } from "./symbols.ts";

/** The runtime's FFI, or `undefined` where the libc backend cannot run. */
export const FFI: FfiBackend | undefined = runtime === "deno" ? DENO_FFI : KOFFI_FFI;
