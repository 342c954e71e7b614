/**
 * An FFI whose binding module loads on its first `open()`: what the
 * backend chooser holds, so that choosing the file backend (any path but
 * the system's live database) loads nothing under src/ffi/.
 *
 * @module
 */

import type { FfiBackend, UtmpxLibrary } from "../ffi/symbols.ts";

/**
 * An FFI that asks `gate` whether it may be used, and loads the binding only to open a library.
 *
 * @param gate Whether FFI is permitted, and the environment as the binding reads it: asked without loading it.
 * @param load Imports the binding.
 * @returns The FFI.
 */
export function lazyFfi(gate: Omit<FfiBackend, "open">, load: () => Promise<FfiBackend>): FfiBackend {
  return {
    permitted: () => gate.permitted(),
    env: (name) => gate.env(name),
    async open(candidates: readonly string[], os: string): Promise<UtmpxLibrary> {
      return await (await load()).open(candidates, os);
    },
  };
}
