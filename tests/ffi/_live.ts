/**
 * Helpers for tests of the live libc backend: whether it can run here
 * (Linux with glibc, an FFI in this runtime: Deno with `--allow-ffi`, or Node
 * and Bun with koffi installed, and the C library loadable; tests pass
 * `LIVE` as their options and are skipped elsewhere), and the differential
 * check of the two backends.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { UtmpFileOptions } from "../../mod.ts";
import { libcCandidates } from "../../src/ffi/libc_path.ts";
import { FFI } from "../../src/backends/_ffi_select.ts";
import { libcProfile } from "../../src/backends/_libc_profile.ts";
import { collect } from "../_collect.ts";

/** What {@link collect} returns. */
type Collected = Awaited<ReturnType<typeof collect>>;

async function canLoad(): Promise<boolean> {
  const os = process.platform;
  if (os !== "linux" || FFI === undefined || libcProfile(os, process.arch) === undefined || !FFI.permitted()) {
    return false;
  }
  try {
    (await FFI.open(libcCandidates({ os, env: {} }), os)).close();
    return true;
  } catch {
    return false;
  }
}

/** True when the live C library can be read through here. */
export const LIBC_LIVE: boolean = await canLoad();

/** Test options: skip unless the live C library can be used. */
export const LIVE = { ignore: !LIBC_LIVE };

/** Record files under a directory (recursively), leaving out text twins and notes. */
export function dataFiles(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...dataFiles(path));
    else if (!/\.(txt|jsonl|json|md)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Reads a file with `backend: "ffi"` and `backend: "file"`, asserts both give the same records and warnings. */
export async function agree(path: string, options: UtmpFileOptions = {}): Promise<Collected> {
  const ffi = await collect(path, { ...options, backend: "ffi" });
  const file = await collect(path, { ...options, backend: "file" });
  assert.deepEqual(ffi, file, path);
  return ffi;
}
