import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { tempDir, utmpdumpReverse } from "../_util.ts";
import { history, loggedIn, sessions, UtmpFileError, who } from "../../mod.ts";
import { nobodyNote } from "../../src/_activity.ts";
import { chooseSource, rootPath } from "../../src/sources/mod.ts";
import { where } from "./_build.ts";
import { HAS_SQLITE, writeSession, writeWtmpdb } from "./_build.ts";
import { all } from "../_collect.ts";

const UTMP_TEXT = [
  "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T22:10:00,000000+00:00]",
  "[7] [04242] [ts/0] [alice   ] [pts/0       ] [198.51.100.4        ] [198.51.100.4   ] [2023-11-14T22:13:20,000000+00:00]",
].join("\n") + "\n";

/** A host's `/` as a container sees it at /host: `/var/run` a symlink to the absolute `/run`, as on Debian. */
function hostRoot(
  dir: string,
  parts: { utmp?: string | undefined; logind?: boolean; wtmp?: string; wtmpdb?: boolean },
): void {
  mkdirSync(join(dir, "run"), { recursive: true });
  mkdirSync(join(dir, "var/log"), { recursive: true });
  symlinkSync("/run", join(dir, "var/run"));
  if (parts.utmp !== undefined) {
    if (parts.utmp === "") writeFileSync(join(dir, "run/utmp"), "");
    else utmpdumpReverse(parts.utmp, join(dir, "run/utmp"));
  }
  if (parts.logind) {
    writeSession(join(dir, "run/systemd/sessions"), "7", {
      UID: "1001",
      USER: "bob",
      CLASS: "user",
      TYPE: "tty",
      TTY: "tty1",
      SEAT: "seat0",
      LEADER: "800",
      REALTIME: "1700000000000000",
    });
  }
  if (parts.wtmp !== undefined) utmpdumpReverse(parts.wtmp, join(dir, "var/log/wtmp"));
  if (parts.wtmpdb) {
    mkdirSync(join(dir, "var/lib/wtmpdb"), { recursive: true });
    writeWtmpdb(join(dir, "var/lib/wtmpdb/wtmp.db"), [
      { Type: 1, User: "reboot", Login: 1700000000e6, Logout: null, TTY: "~", RemoteHost: "6.12.0", Service: null },
    ]);
  }
}

async function whoList(options: Parameters<typeof who>[0]): Promise<string[]> {
  return (await all(who(options))).map((u) => `${u.ut_user} ${u.ut_line} ${u.layout}`);
}

test("rootPath() resolves symbolic links inside root, absolute targets included, and never climbs out of it", async () => {
  using t = tempDir();
  mkdirSync(join(t.dir, "run"));
  mkdirSync(join(t.dir, "var/lib"), { recursive: true });
  symlinkSync("/run", join(t.dir, "var/run"));
  symlinkSync("../../run", join(t.dir, "var/lib/rel"));
  symlinkSync("loop", join(t.dir, "loop"));
  assert.equal(await rootPath(t.dir, "/var/run/utmp"), join(t.dir, "run/utmp"));
  assert.equal(await rootPath(t.dir, "/var/lib/rel/x"), join(t.dir, "run/x"));
  assert.equal(await rootPath(t.dir, "/../../../etc/passwd"), join(t.dir, "etc/passwd"));
  // A loop is refused as the kernel refuses it, never left to the kernel as a plain name.
  await assert.rejects(
    () => rootPath(t.dir, "/loop/x"),
    (e: Error & { code?: string }) => e.name === "UtmpFileError" && e.code === "ELOOP",
  );
  assert.equal(await rootPath(undefined, "/var/run/utmp"), "/var/run/utmp");
  assert.equal(await rootPath("/", "/var/run/utmp"), "/var/run/utmp");
});

test("chooseSource() sessions auto reads utmp where it holds records, through the host's /var/run -> /run", async () => {
  using t = tempDir();
  hostRoot(t.dir, { utmp: UTMP_TEXT, logind: true });
  const chosen = await chooseSource("sessions", { root: t.dir });
  assert.deepEqual(where(chosen), { source: "utmp", path: join(t.dir, "run/utmp") });
  // Its name is the system's own path, before the root and its links.
  assert.equal(chosen.name, "/var/run/utmp");
  assert.equal((await chooseSource("sessions", { path: join(t.dir, "run/utmp") })).name, join(t.dir, "run/utmp"));
  assert.deepEqual(await whoList({ root: t.dir }), ["alice /dev/pts/0 linux"]);
  assert.deepEqual((await all(sessions({ root: t.dir }))).map((u) => u.ut_type), ["BOOT_TIME", "USER_PROCESS"]);
});

test("chooseSource() sessions auto reads logind's sessions where there is no utmp, or an empty one", async () => {
  for (const utmp of [undefined, ""]) {
    using t = tempDir();
    hostRoot(t.dir, { utmp, logind: true });
    assert.deepEqual(where(await chooseSource("sessions", { root: t.dir })), {
      source: "logind",
      path: join(t.dir, "run/systemd/sessions"),
    });
    assert.deepEqual(await whoList({ root: t.dir }), ["bob seat0 logind", "bob /dev/tty1 logind"]);
    assert.deepEqual(await whoList({ root: t.dir, source: "logind" }), ["bob seat0 logind", "bob /dev/tty1 logind"]);
  }
});

test("chooseSource() sessions auto throws UtmpFileError ENOENT naming both places when neither exists", async () => {
  using t = tempDir();
  hostRoot(t.dir, {});
  await assert.rejects(
    () => chooseSource("sessions", { root: t.dir }),
    (e: Error & { code?: string }) =>
      e.name === "UtmpFileError" && e.code === "ENOENT" && e.message.includes(join(t.dir, "run/utmp")) &&
      e.message.includes(join(t.dir, "run/systemd/sessions")),
  );
  await assert.rejects(() => chooseSource("sessions", { source: "lastlog" as "utmp" }), RangeError);
});

test("chooseSource() history auto reads wtmp where it exists", async () => {
  using t = tempDir();
  hostRoot(t.dir, { wtmp: UTMP_TEXT });
  const wtmp = join(t.dir, "var/log/wtmp");
  assert.deepEqual(where(await chooseSource("history", { root: t.dir })), { source: "wtmp", path: wtmp });
});

test(
  "chooseSource() history auto reads wtmpdb where there is no wtmp, and wtmpdb when the wtmp was left behind",
  async () => {
    using t = tempDir();
    hostRoot(join(t.dir, "new"), { wtmpdb: true });
    assert.deepEqual(where(await chooseSource("history", { root: join(t.dir, "new") })), {
      source: "wtmpdb",
      path: join(t.dir, "new/var/lib/wtmpdb/wtmp.db"),
    });
    // Both: the wtmp written last wins; an old wtmp beside a newer wtmpdb was left behind by the move to wtmpdb.
    hostRoot(join(t.dir, "both"), { wtmp: UTMP_TEXT, wtmpdb: true });
    const both = join(t.dir, "both");
    utimesSync(join(both, "var/log/wtmp"), new Date("2024-01-01"), new Date("2024-01-01"));
    assert.equal((where(await chooseSource("history", { root: both }))).source, "wtmpdb");
    utimesSync(join(both, "var/log/wtmp"), new Date(), new Date(Date.now() + 60_000));
    assert.equal((where(await chooseSource("history", { root: both }))).source, "wtmp");
    const records = await all(history({ root: join(t.dir, "new") }));
    assert.deepEqual(records.map((u) => `${u.layout} ${u.ut_type} ${u.ut_host}`), ["wtmpdb BOOT_TIME 6.12.0"]);
  },
  { ignore: !HAS_SQLITE },
);

test("chooseSource() sessions and history tell a given path's source by what it is: directory or record file", async () => {
  using t = tempDir();
  hostRoot(t.dir, { utmp: UTMP_TEXT, logind: true, wtmp: UTMP_TEXT, wtmpdb: HAS_SQLITE });
  const utmp = join(t.dir, "run/utmp");
  const dir = join(t.dir, "run/systemd/sessions");
  assert.deepEqual(where(await chooseSource("sessions", { path: utmp })), { source: "utmp", path: utmp });
  assert.deepEqual(where(await chooseSource("sessions", { path: dir })), { source: "logind", path: dir });
  assert.deepEqual(where(await chooseSource("history", { path: utmp })), { source: "wtmp", path: utmp });
});

test("chooseSource() sessions and history tell a given path's source by what it is: a SQLite database", async () => {
  using t = tempDir();
  hostRoot(t.dir, { utmp: UTMP_TEXT, logind: true, wtmp: UTMP_TEXT, wtmpdb: true });
  const db = join(t.dir, "var/lib/wtmpdb/wtmp.db");
  assert.deepEqual(where(await chooseSource("sessions", { path: db })), { source: "wtmpdb", path: db });
  assert.deepEqual(where(await chooseSource("history", { path: db })), { source: "wtmpdb", path: db });
  assert.deepEqual((await all(history({ path: db }))).map((u) => `${u.layout} ${u.ut_type}`), ["wtmpdb BOOT_TIME"]);
}, { ignore: !HAS_SQLITE });

test("chooseSource() failures reads the btmp under root, and says plainly where the system keeps none", async () => {
  using t = tempDir();
  hostRoot(t.dir, {});
  const btmp = join(t.dir, "var/log/btmp");
  await assert.rejects(
    () => chooseSource("failures", { root: t.dir }),
    (e: Error & { code?: string }) =>
      e.name === "UtmpFileError" && e.code === "ENOENT" &&
      e.message ===
        `Cannot find failed logins: no btmp at "${btmp}" and no systemd journal at "${
          join(t.dir, "var/log/journal")
        }" or "${join(t.dir, "run/log/journal")}"; pass a path`,
  );
  utmpdumpReverse(
    "[6] [01234] [    ] [root    ] [ssh:notty   ] [198.51.100.7        ] [198.51.100.7   ] [2023-11-14T22:13:20,000000+00:00]\n",
    btmp,
  );
  assert.deepEqual(where(await chooseSource("failures", { root: t.dir })), { source: "btmp", path: btmp });
  const failed = await all(history({ root: t.dir, source: "btmp" }));
  assert.deepEqual(failed.map((u) => `${u.ut_type} ${u.ut_user} ${u.ut_host}`), ["LOGIN_PROCESS root 198.51.100.7"]);
  await assert.rejects(() => chooseSource("failures", { source: "wtmp" }), RangeError);
});

test("chooseSource() finding no sessions names the paths it looked at, and loggedIn()'s note is made of them", async () => {
  using t = tempDir();
  hostRoot(t.dir, {});
  const error = await chooseSource("sessions", { root: t.dir }).catch((e) => e);
  assert.ok(error instanceof UtmpFileError && error.code === "ENOENT", String(error));
  // The utmp found through the root's /var/run -> /run, then logind's directory: as resolved, in that order.
  assert.deepEqual(error.lookedAt, [join(t.dir, "run/utmp"), join(t.dir, "run/systemd/sessions")]);
  const users = await loggedIn({ root: t.dir });
  assert.equal(users.length, 0);
  assert.ok(users.notes.includes(nobodyNote(error.lookedAt)), users.notes.join("\n"));
  // The note is w's wording around those paths, not a piece of the error's message.
  assert.equal(
    nobodyNote(["/a/utmp", "/b/sessions"]),
    'no utmp at "/a/utmp" and no systemd-logind sessions at "/b/sessions": no sessions to show',
  );
});
