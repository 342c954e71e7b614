/**
 * `loggedIn()`, `who()` and `utmp w`/`who` on a live system: real terminal
 * sessions (`script`) and stale records in a /run/utmp of a private mount
 * namespace, compared with procps-ng `w` and coreutils `who` (see
 * _w_scene.ts, which runs inside it).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { test } from "./_harness.ts";
import { tempDir } from "./_util.ts";
import { ours } from "./cli/_run.ts";
import { loggedIn } from "../mod.ts";
// The scene runs in a child process; importing its type also puts it in the npm build's tests.
import type { Check } from "./_w_scene.ts";

/** Why the namespace tests cannot run here, or undefined when they can. */
function cannotUnshare(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (a mount namespace needs CAP_SYS_ADMIN)";
  for (const tool of ["unshare", "script", "w", "who", "perl", "setpriv"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `no ${tool}`;
  }
  const r = spawnSync("unshare", ["-m", "sh", "-c", "mount -t tmpfs tmpfs /run"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `unshare -m is not permitted here: ${r.stderr.trim()}`;
}

const why = cannotUnshare();
// deno-lint-ignore no-console
if (why !== undefined) console.log(`loggedIn() namespace tests skipped: ${why}`);

/** The scene's comparisons, run in a private mount namespace with a tmpfs over /run. */
function runScene(): Check[] {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const script = fileURLToPath(new URL(`./_w_scene.${ext}`, import.meta.url));
  const runtime = "Deno" in globalThis
    ? [process.execPath, "run", "-A", "--no-lock", script]
    : [process.execPath, script];
  const r = spawnSync(
    "unshare",
    ["-m", "--", "sh", "-c", 'mount --make-rprivate / && mount -t tmpfs tmpfs /run && exec "$@"', "sh", ...runtime],
    {
      encoding: "utf8",
      env: { ...process.env as Record<string, string>, TZ: "UTC", LC_ALL: "C", LANG: "C" },
      timeout: 300_000,
      maxBuffer: 1 << 26,
    },
  );
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  assert.ok(r.status === 0 && last.startsWith("["), `the scene ran (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(last);
}

let scene: { checks: ReturnType<typeof runScene> } | { error: unknown } | undefined;

/** The scene's checks, run once for every test here. */
function checks(): ReturnType<typeof runScene> {
  if (scene === undefined) {
    try {
      scene = { checks: runScene() };
    } catch (error) {
      scene = { error };
    }
  }
  if ("error" in scene) throw scene.error;
  return scene.checks;
}

/** Asserts the scene's checks whose names match. */
function expectAll(match: RegExp): void {
  const chosen = checks().filter((c) => match.test(c.name));
  assert.ok(chosen.length > 0, `the scene has checks matching ${match}`);
  for (const c of chosen) assert.deepEqual(c.actual, c.expected, c.name);
}

const options = { ignore: why !== undefined };

test("main() w prints what procps w prints, byte for byte, with each option, width and locale", () => {
  expectAll(/^utmp w (?!.*logind)/);
}, options);

test("main() who and users print what coreutils prints for the system's utmp, stale sessions left out", () => {
  expectAll(/^utmp (who|users)/);
}, options);

test("who() yields coreutils who's sessions for the system's utmp, and every one with all or a path", () => {
  expectAll(/^who\(/);
}, options);

test(
  "loggedIn() agrees with w field by field: user, line, host, login, idle, JCPU, PCPU, WHAT, uptime, users, load",
  () => {
    expectAll(/^loggedIn\(\) (rows|field|addresses|uptime|keeps|sessions)/);
  },
  options,
);

test("loggedIn() and main() w read a root's /proc and /dev, and say what they cannot have without them", () => {
  expectAll(/root/);
}, options);

test("loggedIn() and main() w give the same users from logind's session files as from the utmp", () => {
  expectAll(/logind/);
}, options);

test("main() w in Deno without --allow-all fails with one line naming the flag", () => {
  expectAll(/without --allow-all/);
}, { ignore: why !== undefined || !("Deno" in globalThis) });

test("loggedIn() under a root without /proc or /dev keeps every logind user session, with what it cannot have as null", async () => {
  using t = tempDir("host-");
  const root = t.dir;
  const dir = join(root, "run/systemd/sessions");
  mkdirSync(dir, { recursive: true });
  const session = (id: string, lines: string) =>
    writeFileSync(join(dir, id), `# This is private data. Do not parse.\nCLASS=user\n${lines}`);
  session("1", "UID=1000\nUSER=alice\nTTY=pts/4\nREMOTE_HOST=2001:db8::7\nLEADER=100\nREALTIME=1700000000000000\n");
  session("2", "UID=1001\nUSER=bob\nSEAT=seat0\nLEADER=200\nREALTIME=1700000001000000\n");
  session("3", "UID=1002\nUSER=carol\nDISPLAY=:1\nLEADER=300\nREALTIME=1700000002000000\n");
  session("c1", "UID=1000\nUSER=alice\nCLASS=manager\n");
  const users = await loggedIn({ root });
  // In the directory's order (the file system's): sorted here. carol's session has a display only: coreutils 9.7
  // names no line for it, procps 4.0.4 shows it (REMOTE_HOST as its host: none).
  assert.deepEqual(
    users.map((u) => [u.user, u.line, u.tty, u.host, u.addr, u.idle, u.command, u.pid, u.source])
      .sort((x, y) => Number(x[7]) - Number(y[7])),
    [
      ["alice", "pts/4", "/dev/pts/4", "2001:db8::7", "2001:db8::7", null, null, 100, "logind"],
      ["bob", "seat0", null, "", "", null, null, 200, "logind"],
      ["carol", "", null, "", "", null, null, 300, "logind"],
    ],
  );
  assert.equal(users.userCount, 3);
  assert.equal(users.loadAverage, null);
  assert.deepEqual(users.notes.map((n) => n.includes(join(root, "proc")) || n.includes(join(root, "dev"))), [
    true,
    true,
  ]);
  assert.deepEqual((await loggedIn({ root, user: "bob" })).map((u) => u.user), ["bob"]);
});

test("loggedIn() and main() w under a root with neither a utmp nor logind's sessions: nobody, and a note naming both places", async () => {
  // The note is what the chooser found (w shows nobody there, as procps w does); a reworded chooser message must not
  // change it.
  using t = tempDir();
  const nothing = `no utmp at "${join(t.dir, "var/run/utmp")}" and no systemd-logind sessions at "${
    join(t.dir, "run/systemd/sessions")
  }": no sessions to show`;
  const users = await loggedIn({ root: t.dir });
  assert.deepEqual([users.length, users.userCount, users.notes[0]], [0, 0, nothing]);
  const ran = await ours(["--root", t.dir, "w"]);
  assert.equal(ran.code, 0, ran.err);
  assert.equal(ran.err.split("\n")[0], `utmp w: ${nothing}`);
});
