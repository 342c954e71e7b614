/**
 * Which backend reads a file: the `backend` option of `UtmpFile`.
 *
 * - `"file"`: the decoder reads the file's bytes.
 * - `"ffi"`: the C library reads it (its locking, its struct).
 * - `"auto"`: the C library for the platform's own live database (its
 *   default utmp path) when FFI is permitted and the system's utmpx API is
 *   known, else the decoder. Every other path goes to the decoder: a file
 *   from another machine (an aarch64 wtmp on x86_64) must never be read
 *   through this machine's libc. If the C library turns out to be
 *   unusable (musl's stubs, no koffi), the decoder reads instead.
 *
 * The C library backend (`./ffi.ts`, and through it src/ffi/) is imported
 * only when it is chosen, on its first read: reading any other file loads
 * none of it.
 *
 * @module
 */

import { LibcUnavailableError } from "../errors.ts";
import { RecordCursor } from "./file.ts";
import { FFI } from "./_ffi_select.ts";
import type { FfiBackend } from "../ffi/symbols.ts";
import { libcProfile } from "./_libc_profile.ts";
import type { Detection } from "../layouts/_plausible.ts";
import { nativeLayoutName } from "../layouts/native.ts";
import { systemPaths } from "../paths.ts";
import type { Chunk } from "../layouts/decode.ts";
import { arch, platform } from "../_internal/runtime.ts";
import type { BackendName, ProblemSink, RecordSource } from "./_source.ts";

/** What to read, and how the caller asked for it. */
export interface SourceRequest {
  /** The file. */
  path: string;
  /** The `backend` option. */
  backend: "auto" | BackendName;
  /** The `layout` option: "auto" or a layout name. */
  layout: string;
  /** What to tell the user when the file is missing. */
  hint: string | undefined;
  /** Where to report problems between records. */
  onProblem: ProblemSink;
  /** The `reuseBuffers` option (the file backend's). */
  reuseBuffers?: boolean;
  /** The `libc` option (the C library backend's): tried first, instead of `UTMP_LIBC_PATH`. */
  libc?: string | undefined;
  /** Open without following a link at the last component (the file backend: a path resolved under a root). */
  noFollow?: boolean;
}

/** The system the backends run on. */
export interface BackendSystem {
  /** Operating system, as `process.platform` names it. */
  os: string;
  /** CPU architecture, as `process.arch` names it. */
  arch: string;
  /** The runtime's FFI, if any. */
  ffi: FfiBackend | undefined;
  /** The system's live database (its default utmp path). */
  utmp: string;
}

/** This process's system. */
const THIS_SYSTEM: BackendSystem = { os: platform, arch, ffi: FFI, utmp: systemPaths(platform).utmp };

/**
 * The backend a request gets. Asks the runtime whether FFI is permitted
 * (without a prompt) only when everything else points to the C library.
 *
 * @example A copied file always goes to the decoder
 * ```ts
 * import { chooseBackend } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const ffi = { permitted: () => true, env: () => undefined, open: () => Promise.reject(new Error("unused")) };
 * const system = { os: "linux", arch: "x64", ffi, utmp: "/var/run/utmp" };
 * assert.equal(chooseBackend({ path: "/var/run/utmp", backend: "auto", layout: "auto" }, system), "ffi");
 * assert.equal(chooseBackend({ path: "/tmp/wtmp.from-a-pi", backend: "auto", layout: "auto" }, system), "file");
 * ```
 *
 * @param request Path, `backend` and `layout` options.
 * @param system Operating system, CPU and FFI.
 * @returns "ffi" or "file".
 */
export function chooseBackend(
  request: Pick<SourceRequest, "path" | "backend" | "layout" | "noFollow">,
  system: BackendSystem = THIS_SYSTEM,
): BackendName {
  if (request.backend !== "auto") return request.backend;
  if (request.noFollow) return "file";
  const profile = libcProfile(system.os, system.arch);
  if (profile === undefined || system.ffi === undefined) return "file";
  if (request.path !== system.utmp) return "file";
  if (request.layout !== "auto" && request.layout !== profile.layout.name) return "file";
  return system.ffi.permitted() ? "ffi" : "file";
}

/**
 * The source for a request.
 *
 * @param request What to read and how.
 * @param system Operating system, CPU and FFI (this process's by default).
 * @returns A source; nothing is opened or loaded yet.
 * @throws {RangeError} For `backend: "ffi"` with a `layout` other than the C library's struct.
 */
export function createSource(request: SourceRequest, system: BackendSystem = THIS_SYSTEM): RecordSource {
  const { path, layout, hint, onProblem, reuseBuffers, libc, noFollow } = request;
  // The cursor prefers this machine's layout; another system (a test's) its own.
  const prefer = system === THIS_SYSTEM ? undefined : nativeLayoutName(system.os, system.arch);
  const file = (): RecordSource =>
    new RecordCursor(path, { layout, prefer, hint, onProblem, reuseBuffers: reuseBuffers ?? false, noFollow });
  if (chooseBackend(request, system) === "file") return file();
  const struct = libcProfile(system.os, system.arch)?.layout.name;
  if (layout !== "auto" && struct !== undefined && layout !== struct) {
    throw new RangeError(
      `Cannot use layout "${layout}" with backend "ffi": the C library returns its own struct (layout "${struct}"); use layout "auto" or backend "file"`,
    );
  }
  const ffi = new LazySource("ffi", async () => {
    const [{ FfiSource }, { LIBC_PATH_ENV, libcCandidates }] = await Promise.all([
      import("./ffi.ts"),
      import("../ffi/libc_path.ts"),
    ]);
    return new FfiSource(path, {
      os: system.os,
      arch: system.arch,
      ffi: system.ffi,
      candidates: () =>
        libcCandidates({ os: system.os, env: { [LIBC_PATH_ENV]: libc ?? system.ffi?.env(LIBC_PATH_ENV) } }),
      hint,
      onProblem,
    });
  });
  return request.backend === "ffi" ? ffi : new FallbackSource(ffi, file);
}

/** A source whose module is imported on its first read. */
class LazySource implements RecordSource {
  readonly backend: BackendName;
  #source: RecordSource | undefined;
  #loading: Promise<RecordSource> | undefined;
  readonly #load: () => Promise<RecordSource>;

  constructor(backend: BackendName, load: () => Promise<RecordSource>) {
    this.backend = backend;
    this.#load = load;
  }

  get layout(): RecordSource["layout"] {
    return this.#source?.layout;
  }

  get detection(): Detection | undefined {
    return this.#source?.detection;
  }

  async detect(): Promise<Detection> {
    return (await this.#loaded()).detect();
  }

  next(): Chunk | null | Promise<Chunk | null> {
    return this.#source !== undefined ? this.#source.next() : this.#loaded().then((s) => s.next());
  }

  rewind(): void {
    this.#source?.rewind();
  }

  release(): Promise<void> {
    return this.#source?.release() ?? Promise.resolve();
  }

  #loaded(): Promise<RecordSource> {
    return this.#loading ??= this.#load().then((source) => this.#source = source);
  }
}

/** The C library first; the decoder when the C library cannot be used. */
class FallbackSource implements RecordSource {
  #source: RecordSource;
  #fallback: (() => RecordSource) | undefined;

  constructor(first: RecordSource, fallback: () => RecordSource) {
    this.#source = first;
    this.#fallback = fallback;
  }

  get backend(): BackendName {
    return this.#source.backend;
  }

  get layout(): RecordSource["layout"] {
    return this.#source.layout;
  }

  get detection(): Detection | undefined {
    return this.#source.detection;
  }

  detect(): Promise<Detection> {
    return this.#try((s) => s.detect());
  }

  next(): Chunk | null | Promise<Chunk | null> {
    // Once the choice is made (the decoder taken, or the C library read from), the source's own next(): a quiet
    // file's chunks then come without a promise each.
    if (this.#fallback === undefined) return this.#source.next();
    return this.#try(async (s) => {
      const chunk = await s.next();
      this.#fallback = undefined; // a read went through: no switch from here on
      return chunk;
    });
  }

  rewind(): void {
    this.#source.rewind();
  }

  release(): Promise<void> {
    return this.#source.release();
  }

  /** Runs `f`; if the C library turns out unusable (before any record was read), switches to the decoder. */
  async #try<T>(f: (source: RecordSource) => Promise<T>): Promise<T> {
    try {
      return await f(this.#source);
    } catch (error) {
      const fallback = this.#fallback;
      if (!(error instanceof LibcUnavailableError) || fallback === undefined) throw error;
      this.#source = fallback();
      this.#fallback = undefined;
      return f(this.#source);
    }
  }
}
