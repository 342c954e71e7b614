/**
 * The FFI of this runtime, for the JSR build: `Deno.dlopen` under Deno, none
 * elsewhere (the npm build replaces this module with `select.node.ts`, which
 * adds koffi for Node and Bun).
 *
 * @module
 */

import { runtime } from "../_internal/runtime.ts";
import { DENO_FFI } from "./deno.ts";
import type { FfiBackend } from "./symbols.ts";

/** The runtime's FFI, or `undefined` where the libc backend cannot run. */
export const FFI: FfiBackend | undefined = runtime === "deno" ? DENO_FFI : undefined;
