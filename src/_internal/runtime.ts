/**
 * The runtime edge: which runtime this is, the platform, and environment
 * variables. Everything else in the library runs unchanged in Deno, Node and
 * Bun through `node:` modules; `Deno.*` appears only in `ffi/deno.ts`.
 *
 * @module
 */

import process from "node:process";

/** The JavaScript runtime the library runs in. */
export type RuntimeName = "deno" | "bun" | "node";

/** This runtime. */
export const runtime: RuntimeName = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/** Operating system, as `process.platform` names it ("linux", "darwin", "freebsd", ...). */
export const platform: string = process.platform;

/** CPU architecture, as `process.arch` names it ("x64", "arm64", "s390x", ...). */
export const arch: string = process.arch;

/**
 * Reads an environment variable, treating "not permitted" as unset: Deno
 * without `--allow-env` throws `NotCapable` (or `PermissionDenied` before
 * Deno 2) instead of returning a value.
 *
 * @param name Variable name.
 * @returns Its value, or `undefined` when unset or not readable.
 */
export function tryGetEnv(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    return undefined;
  }
}

/**
 * Whether an error is a runtime permission denial (Deno's `NotCapable` or
 * `PermissionDenied`), which the library passes through untouched so the user
 * sees the runtime's own `--allow-*` hint.
 *
 * @param error Any thrown value.
 * @returns True for a permission-model denial.
 */
export function isPermissionDenial(error: unknown): boolean {
  return error instanceof Error && (error.name === "NotCapable" || error.name === "PermissionDenied");
}
