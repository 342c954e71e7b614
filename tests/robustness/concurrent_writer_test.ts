/**
 * Rule 3 of issue 9: a real concurrent writer — glibc's `pututxline()`
 * rewriting utmp slots in place, and `updwtmpx()` appending to a wtmp, from
 * a C program built here with `cc` — hammers a file while readers iterate
 * it: no reader ever reports a torn record.
 *
 * A torn record is one made of two writes. Every record the writer makes is
 * self-consistent: its write number is its pid, and its host holds a
 * checksum of the fields `utmpdump` shows (type, pid, id, user, line, time)
 * followed by a pattern that runs on from the write number, so a record
 * mixed from two writes fails the check wherever the two meet.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { readBackward } from "../../src/last.ts";
import { UtmpFile, type UtmpRecord, watch } from "../../mod.ts";
import { main } from "../../src/cli/main.ts";
import { decodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { undumpUtmp } from "../../src/utmpdump.ts";
import { LIBC_LIVE } from "../ffi/_live.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";

/**
 * The writer: `writer MODE FILE COUNT SLOTS PAUSE_US`. MODE "slots" rewrites
 * SLOTS utmp slots in turn with `pututxline()` (each write matched to its
 * slot by ut_id); "append" appends with `updwtmpx()`. Both are glibc's own
 * writers, with glibc's locking.
 */
const WRITER_C = String.raw`
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

static uint32_t fnv(const char *s, uint32_t h) {
  for (; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
  return h;
}

int main(int argc, char **argv) {
  const char *mode = argv[1], *path = argv[2];
  long count = atol(argv[3]);
  int slots = atoi(argv[4]), pause_us = atoi(argv[5]);
  int append = strcmp(mode, "append") == 0;
  if (!append && utmpxname(path) != 0) return 2;
  for (long i = 1; i <= count; i++) {
    struct utmpx u;
    memset(&u, 0, sizeof u);
    int s = (int)(i % slots);
    char id[8], canon[512];
    u.ut_type = (i / slots) % 2 ? DEAD_PROCESS : USER_PROCESS;
    u.ut_pid = (pid_t)i;
    snprintf(id, sizeof id, "%04d", s);
    memcpy(u.ut_id, id, 4);
    snprintf(u.ut_line, sizeof u.ut_line, "pts/%d", s);
    for (int k = 0; k < (int)sizeof u.ut_user; k++) u.ut_user[k] = (char)('a' + (i + k) % 26);
    u.ut_session = (int32_t)i;
    u.ut_tv.tv_sec = 1700000000 + (int32_t)i;
    u.ut_tv.tv_usec = (int32_t)(i % 1000000);
    snprintf(canon, sizeof canon, "%d|%ld|%.4s|%.32s|%s|%ld|%ld", u.ut_type, i, u.ut_id, u.ut_user, u.ut_line,
      (long)u.ut_tv.tv_sec, (long)u.ut_tv.tv_usec);
    int w = snprintf(u.ut_host, sizeof u.ut_host, "%08x:", fnv(canon, 2166136261u));
    for (int k = w; k < (int)sizeof u.ut_host - 1; k++) u.ut_host[k] = (char)('A' + (i + k) % 26);
    if (append) updwtmpx(path, &u);
    else {
      setutxent();
      if (pututxline(&u) == NULL) { perror("pututxline"); return 1; }
    }
    if (pause_us > 0) usleep(pause_us);
  }
  if (!append) endutxent();
  return 0;
}
`;

/** FNV-1a of a string's bytes, as the writer computes it. */
function fnv(text: string): number {
  let h = 2166136261;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

/** The raw type numbers the writer uses (glibc's). */
const TYPE_NUMBER: Record<string, number> = { USER_PROCESS: 7, DEAD_PROCESS: 8 };

/** Why a record is not one whole write of the writer, or undefined when it is. */
function tear(u: UtmpRecord): string | undefined {
  const i = u.ut_pid;
  const line = u.ut_line.replace(/^\/dev\//, "");
  const canon = `${TYPE_NUMBER[u.ut_type]}|${i}|${u.ut_id}|${u.ut_user}|${line}|${u.ut_tv.tv_sec}|${u.ut_tv.tv_usec}`;
  const sum = fnv(canon).toString(16).padStart(8, "0");
  let pattern = "";
  for (let k = 9; k < 255; k++) pattern += String.fromCharCode(65 + (i + k) % 26);
  if (u.ut_host === `${sum}:${pattern}`) return undefined;
  return `record at ${u.offset} is torn: ${canon} with host ${u.ut_host.slice(0, 40)}...`;
}

/** What the readers saw. */
interface Seen {
  records: number;
  /** Distinct writes seen: many, or the writer did not race the readers. */
  writes: Set<number>;
  torn: string[];
}

function check(seen: Seen, u: UtmpRecord): void {
  if (u.ut_type === "EMPTY") return;
  seen.records++;
  seen.writes.add(u.ut_pid);
  const why = tear(u);
  if (why !== undefined && seen.torn.length < 5) seen.torn.push(why);
}

/** Builds the writer with `cc`; undefined where there is no C compiler or glibc's utmpx. */
function buildWriter(dir: string): string | undefined {
  const source = join(dir, "writer.c");
  const binary = join(dir, "writer");
  writeFileSync(source, WRITER_C);
  const cc = spawnSync("cc", ["-O2", "-o", binary, source], { encoding: "utf8" });
  return cc.status === 0 ? binary : undefined;
}

const canBuild = process.platform === "linux" && spawnSync("cc", ["--version"]).status === 0;

/** Runs `reader` over and over until the writer exits; resolves with the writer's exit code. */
async function whileWriting(writer: ChildProcess, reader: () => Promise<void>): Promise<number | null> {
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    writer.on("exit", (code) => {
      running = false;
      resolve(code);
    });
  });
  let passes = 0;
  while (running || passes === 0) {
    await reader();
    passes++;
    // A turn of the event loop between passes, for the timers of what runs alongside (watch()'s looks).
    await new Promise((r) => setTimeout(r, 0));
  }
  return await exited;
}

/** Seed the file with every slot, so readers race rewrites rather than the file's first growth. */
function seed(binary: string, mode: string, path: string, slots: number): void {
  assert.equal(spawnSync(binary, [mode, path, String(slots), String(slots), "0"]).status, 0);
}

test(
  "UtmpFile, watch() and main() dump never report a torn record while glibc's pututxline() rewrites the slots",
  async () => {
    using tmp = tempDir();
    const binary = buildWriter(tmp.dir)!;
    const path = tmp.file("utmp", new Uint8Array(0));
    const slots = 64;
    seed(binary, "slots", path, slots);
    const seen: Record<string, Seen> = {};
    const reader = (name: string) => seen[name] ??= { records: 0, writes: new Set(), torn: [] };
    const readers: [string, () => Promise<void>][] = [
      ["UtmpFile backend file", async () => {
        for await (const u of new UtmpFile(path, { backend: "file", layout: "linux" })) check(reader("file"), u);
      }],
      ["main() dump", async () => {
        let text = "";
        const code = await main(["dump", "--layout", "linux", path], {
          out: (c) => void (text += typeof c === "string" ? c : new TextDecoder().decode(c)),
          err: () => {},
        });
        assert.equal(code, 0);
        for (const u of decodeRecords(undumpUtmp(text), LAYOUTS.linux)) check(reader("dump"), u);
      }],
    ];
    if (LIBC_LIVE) {
      readers.push(["UtmpFile backend ffi", async () => {
        for await (const u of new UtmpFile(path, { backend: "ffi" })) check(reader("ffi"), u);
      }]);
    }
    for (const [name, read] of readers) {
      const writer = spawn(binary, ["slots", path, "20000", String(slots), "2"], { stdio: "ignore" });
      // watch() alongside: each slot's changes as events.
      const stop = new AbortController();
      const events = watch(path, { mode: "slots", layout: "linux", interval: 5, signal: stop.signal });
      // One tally over the rounds: a round whose reader keeps the event loop busy (the C library's, read in one go)
      // may leave watch() no look while the writer runs; torn records are checked in every round all the same.
      const watching = (async () => {
        for await (const e of events) check(reader("watch"), e.record);
      })();
      assert.equal(await whileWriting(writer, read), 0, `the writer ran to its end (${name})`);
      stop.abort();
      await watching;
    }
    for (const [name, s] of Object.entries(seen)) {
      assert.deepEqual(s.torn, [], name);
      assert.ok(s.records > 0, `${name} read records`);
      // The readers raced the writer: they saw rewrites, not only the seeded slots (how many depends on the load
      // of the machine: a reader starved of CPU may see few of the writer's 20000).
      assert.ok(s.writes.size > slots, `${name} saw ${s.writes.size} writes`);
    }
  },
  { ignore: !canBuild },
);

test("UtmpFile, readBackward() and watch() never report a torn record while glibc's updwtmpx() appends", async () => {
  using tmp = tempDir();
  const binary = buildWriter(tmp.dir)!;
  const path = tmp.file("wtmp", new Uint8Array(0));
  seed(binary, "append", path, 8);
  const seen: Record<string, Seen> = {};
  const reader = (name: string) => seen[name] ??= { records: 0, writes: new Set(), torn: [] };
  const writer = spawn(binary, ["append", path, "30000", "64", "2"], { stdio: "ignore" });
  const stop = new AbortController();
  const events = watch(path, { mode: "log", layout: "linux", from: "start", interval: 5, signal: stop.signal });
  const watching = (async () => {
    for await (const e of events) check(reader("watch"), e.record);
  })();
  const code = await whileWriting(writer, async () => {
    const file = new UtmpFile(path, { backend: "file", layout: "linux" });
    for await (const u of file) check(reader("UtmpFile"), u);
    // A record the writer had half appended is a partial tail, never a record.
    for (const w of file.warnings) assert.match(w.reason, /^file ends \d+ bytes into a 384-byte record$/);
    for await (const batch of readBackward(path, { layout: "linux" })) {
      for (const u of batch) check(reader("readBackward"), u);
    }
  });
  assert.equal(code, 0);
  // watch() catches up with the last records written, then stops.
  const total = statSync(path).size / 384;
  for (let i = 0; i < 2000 && reader("watch").records < total; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  stop.abort();
  await watching;
  for (const [name, s] of Object.entries(seen)) {
    assert.deepEqual(s.torn, [], name);
    assert.ok(s.writes.size > 100, `${name} saw ${s.writes.size} writes`);
  }
  // watch() saw every record once, in order.
  assert.equal(seen.watch!.records, 30008);
}, { ignore: !canBuild });
