/**
 * Rule 5 of issue 9: the C library path passes only NUL-terminated buffers
 * it owns to C, copies the struct `getutxent()` returns at once, and an early
 * `break`, a thrown error or an abort leave no libc state behind.
 *
 * tests/ffi/ checks the same against glibc (descriptors in /proc/self/fd)
 * and against stand-ins written in TypeScript, which bypass the runtime's
 * FFI binding. Here a stand-in C library, built with `cc` and loaded through
 * the `libc` option by the real binding (`Deno.dlopen`, or koffi in Node and
 * Bun), logs every call with the string it received, returns each record
 * in one static buffer it overwrites on the next call, and poisons that
 * buffer (0xAA) in `endutxent()`: a record not copied at once would come out
 * poisoned or repeated.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { UtmpFile, UtmpFileError, type UtmpFileOptions, type UtmpRecordObject, watch } from "../../mod.ts";
import { FFI } from "../../src/backends/_ffi_select.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { collect } from "../_collect.ts";
import { test } from "../_harness.ts";
import { openOn, tempDir } from "../_util.ts";

/**
 * glibc's utmpx functions, as far as a reader uses them, reading 384-byte
 * records from the file `utmpxname()` selected. Each call is appended to the
 * file LOG_PATH (given when it is built: Bun's `process.env` does not reach
 * C's `getenv()`).
 */
const FAKE_LIBC_C = String.raw`
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char record[384];
static int fd = -1;
static char selected[4096] = "/var/run/utmp";

static void note(const char *format, ...) {
  FILE *f = fopen(LOG_PATH, "a");
  if (f == NULL) return;
  va_list args;
  va_start(args, format);
  vfprintf(f, format, args);
  va_end(args);
  fputc('\n', f);
  fclose(f);
}

int utmpxname(const char *file) {
  size_t n = strlen(file);
  note("utmpxname %zu %s", n, file);
  if (n >= sizeof selected) return -1;
  memcpy(selected, file, n + 1);
  return 0;
}

void setutxent(void) {
  note("setutxent");
  if (fd >= 0) close(fd);
  fd = open(selected, O_RDONLY | O_CLOEXEC);
}

void *getutxent(void) {
  if (fd < 0) setutxent();
  if (fd < 0 || read(fd, record, sizeof record) != (ssize_t)sizeof record) {
    note("getutxent NULL");
    return NULL;
  }
  note("getutxent");
  return record;
}

void endutxent(void) {
  note("endutxent");
  if (fd >= 0) close(fd);
  fd = -1;
  memset(record, 0xAA, sizeof record);
}
`;

const canRun = process.platform === "linux" && process.arch === "x64" && FFI !== undefined && FFI.permitted() &&
  spawnSync("cc", ["--version"]).status === 0;

/** Builds the stand-in library, logging to `log`; returns its path. */
function buildFakeLibc(dir: string, log: string): string {
  const source = join(dir, "fake.c");
  const library = join(dir, "libfakeutmpx.so");
  writeFileSync(source, FAKE_LIBC_C);
  const define = `-DLOG_PATH=${JSON.stringify(log)}`;
  const cc = spawnSync("cc", ["-shared", "-fPIC", "-O2", define, "-o", library, source], { encoding: "utf8" });
  assert.equal(cc.status, 0, cc.stderr);
  return library;
}

const RECORDS: RecordInput[] = Array.from({ length: 7 }, (_, i) => ({
  ut_type: i % 2 === 0 ? "USER_PROCESS" : "DEAD_PROCESS",
  ut_pid: 100 + i,
  ut_line: `pts/${i}`,
  ut_user: i % 2 === 0 ? `user${i}` : "",
  ut_host: `10.0.0.${i}`,
  tv_sec: 1700000000 + i,
}));

/**
 * Runs `body` with the options that read through the stand-in library (the
 * `libc` option, not `UTMP_LIBC_PATH`: the environment is the whole process's,
 * and Deno runs other test files in it at the same time), its call log
 * emptied before; returns the log.
 */
async function withFakeLibc(
  tmp: ReturnType<typeof tempDir>,
  body: (ffi: UtmpFileOptions, log: () => string[]) => Promise<void>,
): Promise<string[]> {
  const logPath = tmp.file("calls.log", "");
  const libc = buildFakeLibc(tmp.dir, logPath);
  const log = () => readFileSync(logPath, "utf8").split("\n").filter((l) => l !== "");
  await body({ backend: "ffi", libc }, log);
  return log();
}

/** One whole pass of the library: select, read to the end, close, select the default again. */
function pass(path: string, records: number): string[] {
  return [
    `utmpxname ${path.length} ${path}`,
    "setutxent",
    ...Array(records).fill("getutxent"),
    "getutxent NULL",
    "endutxent",
    "utmpxname 13 /var/run/utmp",
  ];
}

test(
  "UtmpFile backend ffi hands C each path NUL-terminated and copies every struct before the next call overwrites it",
  async () => {
    using tmp = tempDir();
    // Paths of every length around a word boundary: a missing NUL would show as bytes after the path.
    const paths = Array.from(
      { length: 9 },
      (_, i) => tmp.file(`${"u".repeat(8 + i)}.utmp`, encodeRecords(LAYOUTS.linux, RECORDS)),
    );
    const calls = await withFakeLibc(tmp, async (ffi) => {
      for (const path of paths) {
        const viaC = await collect(path, ffi);
        const decoded = await collect(path, { backend: "file", layout: "linux" });
        assert.deepEqual(viaC, decoded);
        assert.deepEqual(
          viaC.records.map((r: UtmpRecordObject) => r.ut_pid),
          [100, 101, 102, 103, 104, 105, 106],
        );
      }
    });
    assert.deepEqual(calls, paths.flatMap((p) => pass(p, RECORDS.length)));
  },
  { ignore: !canRun },
);

test("UtmpFile backend ffi never hands C a path with a NUL in it (C would read another file)", async () => {
  using tmp = tempDir();
  const real = tmp.file("utmp", encodeRecords(LAYOUTS.linux, RECORDS));
  const calls = await withFakeLibc(tmp, async (ffi) => {
    await assert.rejects(
      () => collect(`${real}\0.d/other`, ffi),
      (e) => e instanceof UtmpFileError && e.path === `${real}\0.d/other`,
    );
  });
  assert.deepEqual(calls, []);
}, { ignore: !canRun });

test(
  "UtmpFile backend ffi leaves no libc state after a break, a thrown error or an abort: endutxent() ran before the first record",
  async () => {
    using tmp = tempDir();
    const path = tmp.file("utmp", encodeRecords(LAYOUTS.linux, RECORDS));
    const calls = await withFakeLibc(tmp, async (ffi, log) => {
      /** At each record: the pass already ended in C, and nothing holds the file. */
      const atRest = () => {
        assert.deepEqual(log().slice(-2), ["endutxent", "utmpxname 13 /var/run/utmp"]);
        assert.equal(openOn(path), 0);
      };
      // break
      for await (const u of new UtmpFile(path, ffi)) {
        atRest();
        if (u.ut_pid === 101) break;
      }
      // a thrown error
      await assert.rejects(async () => {
        for await (const u of new UtmpFile(path, ffi)) {
          atRest();
          if (u.ut_pid === 102) throw new Error("stop");
        }
      }, /stop/);
      // an abort, by an AbortSignal the loop listens to
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 0);
      for await (const _ of new UtmpFile(path, ffi)) {
        atRest();
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (stop.signal.aborted) break;
      }
      assert.equal(stop.signal.aborted, true);
      atRest();
    });
    // Three whole passes, one per loop: none was left open, none was read twice.
    assert.deepEqual(calls, [...pass(path, 7), ...pass(path, 7), ...pass(path, 7)]);
  },
  { ignore: !canRun },
);

test(
  "watch() releases its file and its watcher when its signal aborts, and when the loop breaks or throws",
  async () => {
    using tmp = tempDir();
    const path = tmp.file("wtmp", encodeRecords(LAYOUTS.linux, RECORDS));
    // abort while waiting for a change
    const stop = new AbortController();
    const events = watch(path, { signal: stop.signal, layout: "linux", interval: 10 });
    const ended = (async () => {
      for await (const _ of events) assert.fail("no event: nothing was written");
    })();
    await events.ready;
    // (Deno's fstat works on a moment's duplicate of the descriptor: two may show.)
    assert.ok(openOn(path) >= 1, "watching holds the file");
    stop.abort();
    await ended;
    assert.equal(openOn(path), 0);
    // break and throw on the first event
    for (const how of ["break", "throw"]) {
      const done = (async () => {
        for await (const e of watch(path, { from: "start", layout: "linux", interval: 10 })) {
          assert.ok(openOn(path) >= 1);
          if (how === "break") break;
          throw new Error(`stop at ${e.record.ut_pid}`);
        }
      })();
      if (how === "break") await done;
      else await assert.rejects(done, /stop at 100/);
      assert.equal(openOn(path), 0, how);
    }
  },
  { ignore: process.platform !== "linux" },
);
