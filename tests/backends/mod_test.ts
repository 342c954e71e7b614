/**
 * The `backend` option: which backend reads which file, and the fallback
 * from the C library to the decoder, with stand-in FFIs (the live C library
 * is exercised in tests/ffi/source_test.ts).
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LibcUnavailableError, UtmpFileError } from "../../mod.ts";
import { type BackendSystem, chooseBackend, createSource } from "../../src/backends/mod.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { drain, fakeFfi, fakeLibc } from "../ffi/_fake.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";

const UTMP = "/var/run/utmp";

function linux(ffi: BackendSystem["ffi"], utmp = UTMP): BackendSystem {
  return { os: "linux", arch: "x64", ffi, utmp };
}

/** An FFI whose `permitted()` calls are counted. */
function counted(permitted: boolean): ReturnType<typeof fakeFfi> & { asked: number } {
  const ffi = fakeFfi(new Error("never opened"), permitted);
  const counter = Object.assign(ffi, { asked: 0 });
  counter.permitted = () => (counter.asked++, permitted);
  return counter;
}

test("chooseBackend() auto uses libc only for the system's own utmp, with FFI permitted and the system known", () => {
  const ffi = counted(true);
  const auto = (path: string, layout = "auto") => chooseBackend({ path, backend: "auto", layout }, linux(ffi));
  assert.equal(auto(UTMP), "ffi");
  assert.equal(auto(UTMP, "linux"), "ffi");
  // Other files (a wtmp, a copy from an aarch64 machine) and foreign layouts always go to the decoder.
  assert.equal(auto("/var/log/wtmp"), "file");
  assert.equal(auto("/tmp/wtmp.from-a-pi"), "file");
  assert.equal(auto(UTMP, "linux64"), "file");
  assert.equal(ffi.asked, 2, "permission is asked only when everything else points to libc");
  // FFI not permitted (Deno without --allow-ffi): the decoder, without a prompt.
  assert.equal(chooseBackend({ path: UTMP, backend: "auto", layout: "auto" }, linux(counted(false))), "file");
  // No FFI in this runtime, or no utmpx API on this system (OpenBSD), or a CPU without a table.
  assert.equal(chooseBackend({ path: UTMP, backend: "auto", layout: "auto" }, linux(undefined)), "file");
  const openbsd = counted(true);
  assert.equal(
    chooseBackend({ path: UTMP, backend: "auto", layout: "auto" }, { ...linux(openbsd), os: "openbsd" }),
    "file",
  );
  assert.equal(openbsd.asked, 0);
  // Explicit choices are kept.
  assert.equal(chooseBackend({ path: "/x", backend: "ffi", layout: "auto" }, linux(counted(false))), "ffi");
  assert.equal(chooseBackend({ path: UTMP, backend: "file", layout: "auto" }, linux(counted(true))), "file");
}, { permissions: "none" });

const request = (path: string, backend: "auto" | "ffi" | "file", layout = "auto") => ({
  path,
  backend,
  layout,
  hint: undefined,
  onProblem: () => {},
});

test("createSource() with backend ffi refuses a layout other than the C library's struct", () => {
  assert.throws(
    () => createSource(request("/x", "ffi", "linux64-be"), linux(counted(true))),
    (e) =>
      e instanceof RangeError &&
      e.message ===
        'Cannot use layout "linux64-be" with backend "ffi": the C library returns its own struct (layout "linux"); use layout "auto" or backend "file"',
  );
  assert.equal(createSource(request("/x", "ffi", "linux"), linux(counted(true))).backend, "ffi");
}, { permissions: "none" });

test("createSource() auto reads the file when the C library turns out unusable (no koffi, musl's stubs)", async () => {
  using tmp = tempDir();
  const inputs = [
    { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1700000000 },
    { ut_type: "USER_PROCESS", ut_line: "pts/0", ut_user: "alice", ut_pid: 42, tv_sec: 1700000060 },
  ] as const;
  const utmp = tmp.file("utmp", encodeRecords(LAYOUTS.linux, inputs));
  const expected = await drain(createSource(request(utmp, "file"), linux(undefined, utmp)));
  assert.deepEqual(expected.map((r) => r.ut_user), ["reboot", "alice"]);
  const noKoffi = new LibcUnavailableError(
    'Cannot load the C library: the optional npm package "koffi" is missing',
    [],
  );
  const musl = fakeLibc({ records: () => [], utmpxname: () => -1 }).lib;
  for (const ffi of [fakeFfi(noKoffi), fakeFfi(musl)]) {
    const source = createSource(request(utmp, "auto"), linux(ffi, utmp));
    assert.equal(source.backend, "ffi");
    assert.deepEqual(await drain(source), expected);
    assert.equal(source.backend, "file");
    assert.equal(ffi.opened.length, 1);
  }
  // Forced, the same failure is the caller's to handle.
  await assert.rejects(
    () => drain(createSource(request(utmp, "ffi"), linux(fakeFfi(musl), utmp))),
    (e) => e instanceof LibcUnavailableError && /musl/.test(e.message),
  );
});

test("createSource() checks the file before loading libc, so a missing path is ENOENT and is not created", async () => {
  using tmp = tempDir();
  const missing = join(tmp.dir, "utmpx");
  for (const backend of ["auto", "ffi"] as const) {
    const ffi = fakeFfi(fakeLibc({ records: () => [], utmpxname: () => 1 }).lib);
    await assert.rejects(
      () => drain(createSource(request(missing, backend), { os: "darwin", arch: "arm64", ffi, utmp: missing })),
      (e) => e instanceof UtmpFileError && e.code === "ENOENT" && e.path === missing,
    );
    assert.deepEqual(ffi.opened, [], backend);
    assert.equal(existsSync(missing), false);
  }
});

test("createSource() with backend ffi names the reason when there is no libc backend", async () => {
  using tmp = tempDir();
  const path = tmp.file("utmp", new Uint8Array(384));
  await assert.rejects(
    () => drain(createSource(request(path, "ffi"), { ...linux(counted(true)), os: "openbsd" })),
    (e) =>
      e instanceof LibcUnavailableError &&
      e.message ===
        'Cannot read login records through the C library: no utmpx C API is known for "openbsd" on "x64"; use backend "file"',
  );
  await assert.rejects(
    () => drain(createSource(request(path, "ffi"), linux(undefined))),
    (e) => e instanceof LibcUnavailableError && /this runtime has no FFI/.test(e.message),
  );
});

test("createSource() backend ffi takes no more records than the file held when opened, whatever the C library gives", async () => {
  using tmp = tempDir();
  const records = [
    { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1700000000 },
    { ut_type: "USER_PROCESS", ut_line: "pts/0", ut_user: "ann", ut_pid: 7, tv_sec: 1700000060 },
  ] as const;
  const bytes = encodeRecords(LAYOUTS.linux, [...records]);
  const path = tmp.file("utmp", bytes);
  // A C library that never says the end: the same two structs, over and over.
  let calls = 0;
  const endless = fakeLibc({
    records: () => Array.from({ length: 100_000 }, (_, i) => bytes.slice((i % 2) * 384, (i % 2) * 384 + 384)),
    utmpxname: () => 0,
  });
  const getutxent = endless.lib.getutxent;
  endless.lib.getutxent = (into) => (calls++, getutxent(into));
  const read = await drain(createSource(request(path, "ffi"), linux(fakeFfi(endless.lib), path)));
  assert.deepEqual(read.map((u) => `${u.ut_type} ${u.ut_user}`), ["BOOT_TIME reboot", "USER_PROCESS ann"]);
  assert.equal(calls, 3, "getutxent() was asked for one record more than the file held, and no further");
});
