/**
 * The runtime edge: which runtime this is, the platform, and environment
 * variables. Everything else in the library runs unchanged in Deno, Node and
 * Bun through `node:` modules; `Deno.*` appears only in `ffi/deno.ts`, and
 * here the permission gate it is chosen by.
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

/** What of Deno's API the FFI gate asks: whether FFI and an environment variable are granted. */
interface DenoGate {
  dlopen?: unknown;
  permissions: { querySync(descriptor: { name: "ffi" } | { name: "env"; variable: string }): { state: string } };
  env: { get(name: string): string | undefined };
}

/**
 * Deno's namespace for the FFI gate below, undefined outside Deno: the gate is asked when a backend is chosen, before
 * any FFI module loads. With `ffi/deno.ts`, this is the one module that names `Deno` (checked by
 * scripts/npm_package_test.ts).
 */
const denoGate = (): DenoGate | undefined => (globalThis as { Deno?: DenoGate }).Deno;

/**
 * Whether Deno's FFI may be used now without a prompt: `Deno.dlopen` there
 * and `--allow-ffi` granted. False outside Deno.
 *
 * @returns True when `Deno.dlopen` may be called.
 */
export function denoFfiPermitted(): boolean {
  try {
    const deno = denoGate();
    return typeof deno?.dlopen === "function" && deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * An environment variable in Deno, read only when `--allow-env` grants it
 * (asked without a prompt).
 *
 * @param name Variable name.
 * @returns Its value, or `undefined` when unset, not granted, or outside Deno.
 */
export function denoEnv(name: string): string | undefined {
  try {
    const deno = denoGate();
    return deno?.permissions.querySync({ name: "env", variable: name }).state === "granted"
      ? deno.env.get(name)
      : undefined;
  } catch {
    return undefined;
  }
}
