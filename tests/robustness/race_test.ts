/**
 * Rule of issue 21: under a root, a path is resolved inside it once, then
 * opened without following a link at its last component, and what is kept
 * open for long (`watch()`) is resolved again before every opening. Each
 * test builds the attack of the security review: a link renamed over the
 * root's file (or a directory swapped for one) after the resolution,
 * pointing at a host file outside the root; the host file's records must
 * never come out.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { UtmpFile, UtmpFileError, watch, type WatchEvent } from "../../mod.ts";
import { chooseSource } from "../../src/sources/mod.ts";
import { readLogindSessions } from "../../src/sources/logind.ts";
import { LastlogFile } from "../../src/lastlog_file.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { main } from "../../src/cli/main.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { writeSession } from "../sources/_build.ts";

const onLinux = { ignore: process.platform !== "linux" };

/** A glibc utmp holding one login of `user`. */
const utmpOf = (user: string) =>
  encodeRecords(LAYOUTS.linux, [{ ut_type: "USER_PROCESS", ut_user: user, ut_line: "pts/0", tv_sec: 1700000000 }]);

/** A root whose utmp holds "rooted", and a host file outside it holding "hostonly". */
function scene(t: ReturnType<typeof tempDir>): { root: string; utmp: string; host: string } {
  const root = t.file("root");
  mkdirSync(join(root, "var/run"), { recursive: true });
  const utmp = join(root, "var/run/utmp");
  writeFileSync(utmp, utmpOf("rooted"));
  const host = t.file("host-utmp");
  writeFileSync(host, utmpOf("hostonly"));
  return { root, utmp, host };
}

/** Every error a read gives, by code; its records' users. */
async function users(read: () => AsyncIterable<{ ut_user?: string; line?: string }>): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const u of read()) out.push(u.ut_user ?? u.line ?? "");
  } catch (error) {
    out.push(error instanceof UtmpFileError ? error.code : String(error));
  }
  return out;
}

test(
  "readers of a source chosen under a root refuse a link renamed over its file after the choice (ELOOP)",
  async () => {
    using t = tempDir();
    const { root, utmp, host } = scene(t);
    const chosen = await chooseSource("sessions", { root });
    assert.equal(chosen.root.noFollow, true);
    assert.deepEqual(await users(() => new UtmpFile(chosen.path, { noFollow: chosen.root.noFollow })), ["rooted"]);
    // The attack: once resolved, a link to the host's file takes the utmp's place.
    symlinkSync(host, utmp + ".new");
    renameSync(utmp + ".new", utmp);
    assert.deepEqual(await users(() => new UtmpFile(chosen.path, { noFollow: true })), ["ELOOP"]);
    assert.deepEqual(await users(() => new LastlogFile(chosen.path, { noFollow: true })), ["ELOOP"]);
    // A path the caller names is the caller's own: followed as the system would.
    assert.equal((await chooseSource("sessions", { path: utmp })).root.noFollow, false);
    assert.deepEqual(await users(() => new UtmpFile(utmp)), ["hostonly"]);
    // A session directory swapped for a link after the choice.
    const sessions = join(root, "run/systemd/sessions");
    writeSession(sessions, "3", { UID: "1000", USER: "rooted", CLASS: "user", TTY: "pts/1" });
    const hostSessions = t.file("host-sessions");
    writeSession(hostSessions, "4", { UID: "1000", USER: "hostonly", CLASS: "user", TTY: "pts/2" });
    assert.deepEqual((await readLogindSessions(sessions, { noFollow: true })).map((s) => s.values.USER), ["rooted"]);
    rmSync(sessions, { recursive: true });
    symlinkSync(hostSessions, sessions);
    await assert.rejects(readLogindSessions(sessions, { noFollow: true }), { code: "ELOOP" });
  },
  onLinux,
);

test(
  "main() who under --root never prints the host's records while a loop renames a link over the root's utmp",
  async () => {
    using t = tempDir();
    const { root, utmp, host } = scene(t);
    writeFileSync(t.file("real"), utmpOf("rooted"));
    // What the review ran: the link and a copy of the real file renamed over the utmp in turn, as fast as can be.
    const swapper = spawn("perl", [
      "-e",
      'my ($u, $h, $r) = @ARGV; for (1 .. 2_000_000) { symlink($h, "$u.l"); rename("$u.l", $u); ' +
      'link($r, "$u.r"); rename("$u.r", $u); }',
      utmp,
      host,
      t.file("real"),
    ], { stdio: "ignore" });
    const outcomes = new Map<string, number>();
    try {
      // At least 150 runs, and on until both of the swapper's states were met (a loaded machine may starve it).
      const until = Date.now() + 60_000;
      for (
        let run = 0;
        run < 150 || (!(outcomes.has("rooted") && outcomes.has("ELOOP")) && Date.now() < until);
        run++
      ) {
        let out = "";
        let err = "";
        const text = (s: string | Uint8Array) => typeof s === "string" ? s : new TextDecoder().decode(s);
        const code = await main(["--root", root, "who"], {
          out: (s) => void (out += text(s)),
          err: (s) => void (err += text(s)),
        });
        assert.ok(!out.includes("hostonly") && !err.includes("hostonly"), `run ${run}: ${out}${err}`);
        const outcome = code === 0
          ? (out.includes("rooted") ? "rooted" : "nothing")
          : /\((E[A-Z]+)\)/.exec(err)?.[1] ?? err;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    } finally {
      swapper.kill("SIGKILL");
    }
    // Both of the swapper's states were met: the real file read, the link refused.
    assert.ok((outcomes.get("rooted") ?? 0) > 0 && (outcomes.get("ELOOP") ?? 0) > 0, JSON.stringify([...outcomes]));
  },
  { ignore: process.platform !== "linux" || process.getuid?.() === undefined },
);

/** The events of a watch until `until` is done, then 300 ms more; the watch's error, if it ended with one. */
async function watched(
  iterator: AsyncGenerator<WatchEvent> & { ready: Promise<void> },
  during: () => Promise<void>,
  controller: AbortController,
): Promise<{ users: string[]; error?: string }> {
  const users: string[] = [];
  let error: string | undefined;
  const reading = (async () => {
    try {
      for await (const e of iterator) users.push(e.record.ut_user);
    } catch (e) {
      error = e instanceof Error ? `${e.name} ${(e as { code?: string }).code ?? ""}`.trim() : String(e);
    }
  })();
  await iterator.ready;
  await during();
  await new Promise((r) => setTimeout(r, 300));
  controller.abort();
  await reading;
  return error === undefined ? { users } : { users, error };
}

test(
  "watch() under a root resolves the wtmp again at each rotation: a link renamed over it leads nowhere outside",
  async () => {
    using t = tempDir();
    const root = t.file("root");
    mkdirSync(join(root, "var/log"), { recursive: true });
    const wtmp = join(root, "var/log/wtmp");
    writeFileSync(wtmp, utmpOf("before"));
    // A host file outside the root (a shadow-like text file, and a host wtmp): neither may be read.
    const host = t.file("host");
    mkdirSync(host);
    writeFileSync(join(host, "shadow"), "root:$6$salt$hash:19000:0:99999:7:::\n".repeat(40));
    writeFileSync(join(host, "wtmp"), utmpOf("hostonly"));
    for (const target of ["shadow", "wtmp"]) {
      const controller = new AbortController();
      const iterator = watch(undefined, { root, interval: 20, signal: controller.signal, from: "end" });
      const seen = await watched(iterator, async () => {
        symlinkSync(join(host, target), wtmp + ".new");
        renameSync(wtmp + ".new", wtmp); // rotated: to a link pointing out of the root
        await new Promise((r) => setTimeout(r, 200));
      }, controller);
      // The link is resolved inside the root (there is no <root>/<host>/...): waited for, nothing read.
      assert.deepEqual(seen, { users: [] }, target);
      rmSync(wtmp);
      writeFileSync(wtmp, utmpOf("before"));
    }
    // A rotation to a file of another kind inside the root: its layout is detected again (and refused), not
    // taken for the first file's.
    writeFileSync(join(root, "var/log/notes"), "root:$6$salt$hash:19000:0:99999:7:::\n".repeat(40));
    const controller = new AbortController();
    const iterator = watch(undefined, { root, interval: 20, signal: controller.signal, from: "end" });
    const seen = await watched(iterator, async () => {
      renameSync(join(root, "var/log/notes"), wtmp);
      await new Promise((r) => setTimeout(r, 200));
    }, controller);
    assert.deepEqual(seen, { users: [], error: "UtmpFormatError" });
  },
  onLinux,
);

test(
  "watch() under a root looks at logind's directory anew at each look: one swapped for a link shows nothing",
  async () => {
    using t = tempDir();
    const root = t.file("root");
    const sessions = join(root, "run/systemd/sessions");
    writeSession(sessions, "3", { UID: "1000", USER: "rooted", CLASS: "user", TTY: "pts/1", REALTIME: "1" });
    const hostSessions = t.file("host-sessions");
    writeSession(hostSessions, "9", { UID: "0", USER: "hostonly", CLASS: "user", TTY: "pts/9", REALTIME: "2" });
    const controller = new AbortController();
    const iterator = watch(undefined, { root, mode: "logind", interval: 20, signal: controller.signal, from: "end" });
    const seen = await watched(iterator, async () => {
      renameSync(sessions, join(root, "run/systemd/old"));
      symlinkSync(hostSessions, sessions);
      await new Promise((r) => setTimeout(r, 200));
    }, controller);
    assert.ok(!seen.users.includes("hostonly"), JSON.stringify(seen));
  },
  onLinux,
);
