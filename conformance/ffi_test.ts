/**
 * The libc backend against the whole shared corpus (../shared/fixtures,
 * GPL and AGPL files included, read in place): glibc's `getutxent()` and the
 * decoder must give the same records and warnings for every glibc 384-byte
 * little-endian file, and the same bytes for every other file read as
 * 384-byte records (glibc reads any file that way).
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { UtmpFile } from "../mod.ts";
import { test } from "../tests/_harness.ts";
import { SHARED_FIXTURES } from "../tests/_util.ts";
import { agree, dataFiles, LIBC_LIVE } from "../tests/ffi/_live.ts";

const ready = LIBC_LIVE && existsSync(SHARED_FIXTURES);

/** The layout the decoder detects for a file, or `undefined` when it recognises none. */
async function detected(path: string): Promise<string | undefined> {
  const file = new UtmpFile(path, { backend: "file" });
  try {
    return (await file.detect()).layout.name;
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

let split: Promise<{ linux: string[]; other: string[] }> | undefined;

/** The corpus's files, detected once for both tests: the glibc 384-byte little-endian ones, and the rest. */
function partition(): Promise<{ linux: string[]; other: string[] }> {
  return split ??= (async () => {
    const linux: string[] = [];
    const other: string[] = [];
    for (const path of dataFiles(SHARED_FIXTURES)) (await detected(path) === "linux" ? linux : other).push(path);
    return { linux, other };
  })();
}

test("UtmpFile backend ffi and backend file agree on every glibc 384-byte file of the shared corpus", async () => {
  const native: string[] = [];
  for (const path of (await partition()).linux) {
    await agree(path);
    await agree(path, { keepInvalid: true });
    native.push(path.slice(SHARED_FIXTURES.length + 1));
  }
  // MANIFEST.md: the util-linux and dissect.target glibc x86_64 files are among them.
  for (const known of ["plaso/utmp", "util-linux", "dissect-target"]) {
    assert.ok(native.some((p) => p.startsWith(known)), `${known} compared (compared: ${native.join(", ")})`);
  }
}, { ignore: !ready });

test("UtmpFile backend ffi and backend file read every other corpus file alike as 384-byte records", async () => {
  let compared = 0;
  for (const path of (await partition()).other) {
    await agree(path, { layout: "linux", keepInvalid: true });
    compared++;
  }
  assert.ok(compared > 0);
}, { ignore: !ready });
