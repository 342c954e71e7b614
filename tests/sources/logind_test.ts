import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { test } from "../_harness.ts";
import { ORACLE_ENV, run, tempDir, utmpdumpReverse } from "../_util.ts";
import { all, collect } from "../_collect.ts";
import {
  isUserSession,
  logindRecords,
  parseSessionFile,
  readLogindSessions,
  sessionRecord,
} from "../../src/sources/mod.ts";
import type { UtmpRecordObject } from "../../mod.ts";
import { asUtmpFile, writeSession } from "./_build.ts";

/**
 * A machine's sessions as logind writes them: a console login, ssh logins,
 * a graphical seat session, an X11 display session, and the sessions `who`
 * leaves out (the user manager, a greeter, a cron job, an ssh command
 * without a pty).
 */
function sessionsDir(dir: string): void {
  const common = { ACTIVE: "1", IS_DISPLAY: "0", STATE: "active", LEADER_FD_SAVED: "no", TTY_VALIDITY: "from-pam" };
  writeSession(dir, "1017", {
    ...common,
    UID: "1001",
    USER: "bob",
    REMOTE: "0",
    TYPE: "tty",
    ORIGINAL_TYPE: "tty",
    CLASS: "user",
    SCOPE: "session-1017.scope",
    FIFO: "/run/systemd/sessions/1017.ref",
    SEAT: "seat0",
    TTY: "tty1",
    SERVICE: "login",
    VTNR: "1",
    LEADER: "801",
    AUDIT: "1",
    REALTIME: "1700000000000000",
    MONOTONIC: "5000000",
  });
  writeSession(dir, "1023", {
    ...common,
    UID: "1000",
    USER: "alice",
    REMOTE: "1",
    TYPE: "tty",
    CLASS: "user",
    SCOPE: "session-1023.scope",
    TTY: "pts/0",
    REMOTE_HOST: "198.51.100.4",
    SERVICE: "sshd",
    POSITION: "0",
    LEADER: "4242",
    AUDIT: "3",
    REALTIME: "1700000123456789",
    MONOTONIC: "128456789",
  });
  writeSession(dir, "1024", {
    ...common,
    UID: "0",
    USER: "root",
    REMOTE: "1",
    TYPE: "tty",
    CLASS: "user-early",
    TTY: "pts/1",
    REMOTE_HOST: "2001:db8::7",
    SERVICE: "sshd",
    LEADER: "5150",
    REALTIME: "1700000200000001",
  });
  writeSession(dir, "1031", {
    ...common,
    IS_DISPLAY: "1",
    UID: "1002",
    USER: "carol",
    REMOTE: "0",
    TYPE: "wayland",
    CLASS: "user",
    SEAT: "seat0",
    SERVICE: "gdm-password",
    DESKTOP: "GNOME",
    VTNR: "2",
    LEADER: "2000",
    REALTIME: "1700000300000000",
  });
  writeSession(dir, "1040", {
    ...common,
    UID: "1003",
    USER: "dave",
    REMOTE: "0",
    TYPE: "x11",
    CLASS: "user",
    DISPLAY: ":1",
    SERVICE: "xrdp-sesman",
    LEADER: "3000",
    REALTIME: "1700000400000000",
  });
  // Left out by who: the user manager, a greeter, a cron job, an ssh command without a pty.
  writeSession(dir, "c1", {
    UID: "1000",
    USER: "alice",
    CLASS: "manager",
    TYPE: "unspecified",
    LEADER: "999",
    REALTIME: "1700000100000000",
  });
  writeSession(dir, "c2", {
    UID: "120",
    USER: "gdm",
    CLASS: "greeter",
    TYPE: "wayland",
    SEAT: "seat0",
    VTNR: "1",
    REALTIME: "1699999990000000",
  });
  writeSession(dir, "c3", {
    UID: "0",
    USER: "root",
    CLASS: "background",
    TYPE: "unspecified",
    SERVICE: "cron",
    REALTIME: "1700000500000000",
  });
  writeSession(dir, "1050", {
    UID: "1000",
    USER: "alice",
    CLASS: "user",
    TYPE: "tty",
    REMOTE: "1",
    REMOTE_HOST: "203.0.113.9",
    SERVICE: "sshd",
    REALTIME: "1700000600000000",
  });
  // Not sessions: fopen_temporary()'s half-written file and a session's FIFO (reading it would block).
  writeFileSync(
    join(dir, ".#1023a1b2c3"),
    "# This is private data. Do not parse.\nUSER=ghost\nCLASS=user\nTTY=pts/9\n",
  );
  execFileSync("mkfifo", [join(dir, "1017.ref")]);
}

// The command line prints local times: the same zone and locale as the oracles (ORACLE_ENV).
process.env.TZ = "UTC";
process.env.LC_ALL = "C";

/**
 * The lines coreutils 9.7 makes of these sessions, as a utmp would hold them (utmpdump's text format), in start
 * order: the greeter's seat (9.7 lists greeters), bob's seat and tty, the ssh session sshd left without a TTY as
 * its SERVICE ("sshd": no pty of alice's changed within 5 s of its start); not dave's x11 session with a display
 * only, nor the manager's, the cron job's. (The real oracle, Debian 13's who, is compared in debian13_test.ts.)
 */
const SAME_SESSIONS_AS_UTMP = [
  "[7] [00000] [c2  ] [gdm     ] [seat0       ] [                    ] [0.0.0.0        ] [2023-11-14T22:13:10,000000+00:00]",
  "[7] [00801] [1017] [bob     ] [seat0       ] [                    ] [0.0.0.0        ] [2023-11-14T22:13:20,000000+00:00]",
  "[7] [00801] [1017] [bob     ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-14T22:13:20,000000+00:00]",
  "[7] [04242] [1023] [alice   ] [pts/0       ] [198.51.100.4        ] [198.51.100.4   ] [2023-11-14T22:15:23,456789+00:00]",
  "[7] [05150] [1024] [root    ] [pts/1       ] [2001:db8::7         ] [2001:db8::7    ] [2023-11-14T22:16:40,000001+00:00]",
  "[7] [02000] [1031] [carol   ] [seat0       ] [                    ] [0.0.0.0        ] [2023-11-14T22:18:20,000000+00:00]",
  "[7] [00000] [1050] [alice   ] [sshd        ] [203.0.113.9         ] [203.0.113.9    ] [2023-11-14T22:23:20,000000+00:00]",
].join("\n") + "\n";

/** The records, in start order (the directory's order is the file system's), without their position. */
async function records(dir: string): Promise<UtmpRecordObject[]> {
  const list = (await all(logindRecords(dir))).map((u) => u.toJSON());
  return list.sort((a, b) => a.ut_time.getTime() - b.ut_time.getTime()).map((u) => ({ ...u, index: 0 }));
}

test("logindRecords() maps every field of each user session and leaves the others out", async () => {
  using t = tempDir();
  sessionsDir(t.dir);
  const got = await records(t.dir);
  const common = {
    ut_type: "USER_PROCESS",
    ut_type_raw: -1,
    ut_exit: { e_termination: 0, e_exit: 0 },
    ut_exit_code: 0,
    ut_session: 0,
    ut_addr: [0, 0, 0, 0],
    ut_addr_text: "0.0.0.0",
    ut_user_process: true,
    layout: "logind",
    offset: -1,
  } as const;
  const at = (usec: number) => ({
    ut_tv: { tv_sec: Math.floor(usec / 1e6), tv_usec: usec % 1e6 },
    ut_time: new Date(Math.floor(usec / 1000)),
  });
  const seat = (usec: number, user: string, id: string, pid: number, service: string) => ({
    ...common,
    ...at(usec),
    index: 0,
    ut_user: user,
    ut_service: service,
    ut_line: "seat0",
    ut_id: id,
    ut_host: "",
    ut_pid: pid,
  });
  assert.deepEqual(got, [
    seat(1699999990000000, "gdm", "c2", 0, ""),
    seat(1700000000000000, "bob", "1017", 801, "login"),
    { ...seat(1700000000000000, "bob", "1017", 801, "login"), ut_line: "/dev/tty1" },
    {
      ...common,
      ...at(1700000123456789),
      index: 0,
      ut_user: "alice",
      ut_service: "sshd",
      ut_line: "/dev/pts/0",
      ut_id: "1023",
      ut_host: "198.51.100.4",
      ut_pid: 4242,
      ut_addr: [198, 51, 100, 4],
      ut_addr_text: "198.51.100.4",
    },
    {
      ...common,
      ...at(1700000200000001),
      index: 0,
      ut_user: "root",
      ut_service: "sshd",
      ut_line: "/dev/pts/1",
      ut_id: "1024",
      ut_host: "2001:db8::7",
      ut_pid: 5150,
      ut_addr: [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7],
      ut_addr_text: "2001:db8::7",
    },
    seat(1700000300000000, "carol", "1031", 2000, "gdm-password"),
    {
      ...common,
      ...at(1700000600000000),
      index: 0,
      ut_user: "alice",
      ut_service: "sshd",
      ut_line: "sshd",
      ut_id: "1050",
      ut_host: "203.0.113.9",
      ut_pid: 0,
      ut_addr: [203, 0, 113, 9],
      ut_addr_text: "203.0.113.9",
    },
  ]);
  assert.equal(got[3]!.ut_time.toISOString(), "2023-11-14T22:15:23.456Z");
});

test("logindRecords() equals the same sessions written as utmp by utmpdump -r, field by field", async () => {
  using t = tempDir();
  sessionsDir(join(t.dir, "sessions"));
  const logind = await records(join(t.dir, "sessions"));
  const utmp = (await collect(utmpdumpReverse(SAME_SESSIONS_AS_UTMP, t.file("utmp")))).records;
  assert.equal(utmp.length, 7);
  assert.equal(logind.length, utmp.length);
  for (let i = 0; i < utmp.length; i++) {
    const u = utmp[i]!;
    // What necessarily differs: where each came from, utmp's type number (logind has none), and the PAM
    // service (a utmp record keeps none). utmpdump -r pads a short ut_id with spaces.
    const expected = {
      ...u,
      layout: "logind",
      offset: -1,
      ut_type_raw: -1,
      ut_service: logind[i]!.ut_service,
      index: 0,
      ut_id: u.ut_id.trimEnd(),
    };
    // A seat or a service is not a device, which a utmp reader cannot know: "seat0" there reads as "/dev/seat0".
    if (u.ut_line === "/dev/seat0" || u.ut_line === "/dev/sshd") expected.ut_line = u.ut_line.slice(5);
    assert.deepEqual(logind[i], expected);
  }
});

test("logindRecords() gives coreutils who the same lines as the utmp written by utmpdump -r", async () => {
  using t = tempDir();
  sessionsDir(join(t.dir, "sessions"));
  const ours = t.file("from-logind", asUtmpFile(await records(join(t.dir, "sessions"))));
  const reference = utmpdumpReverse(SAME_SESSIONS_AS_UTMP, t.file("utmp"));
  for (const flags of [[], ["-a"], ["-H", "-u"]]) {
    const expected = run("who", [...flags, reference]);
    assert.equal(run("who", [...flags, ours]), expected);
    if (flags.length === 0) assert.equal(expected.split("\n").filter((l) => l !== "").length, 7);
  }
});

test("readLogindSessions() reads every session file, skipping temporaries and FIFOs without blocking", async () => {
  using t = tempDir();
  sessionsDir(t.dir);
  const all = await readLogindSessions(t.dir);
  assert.deepEqual(all.map((s) => s.id), ["c2", "1017", "c1", "1023", "1024", "1031", "1040", "c3", "1050"]);
  assert.deepEqual(all.filter(isUserSession).map((s) => s.id), ["1017", "1023", "1024", "1031", "1040"]);
  const bob = all.find((s) => s.id === "1017")!;
  assert.equal(bob.values.CLASS, "user");
  assert.equal(bob.values.FIFO, "/run/systemd/sessions/1017.ref");
  assert.equal(bob.values.MONOTONIC, "5000000");
});

test("parseSessionFile() C-unescapes REMOTE_HOST, REMOTE_USER, SERVICE and DESKTOP as cescape() wrote them", () => {
  // cescape("café\tbar"): bytes >= 0x7f and controls as \xNN or \t; quotes and backslashes escaped.
  const values = parseSessionFile(
    "# This is private data. Do not parse.\nUSER=eve\nTTY=pts/2\nREMOTE_HOST=caf\\xc3\\xa9\\tbar\nREMOTE_USER=o\\'brien\\\\x\nSERVICE=ss\\x68d\nDESKTOP=KDE\\nPlasma\nSCOPE=not\\tescaped\n",
  );
  assert.equal(values.REMOTE_HOST, "café\tbar");
  assert.equal(values.REMOTE_USER, "o'brien\\x");
  assert.equal(values.SERVICE, "sshd");
  assert.equal(values.DESKTOP, "KDE\nPlasma");
  assert.equal(values.SCOPE, "not\\tescaped");
  const u = sessionRecord({ id: "8", values }, 0);
  assert.equal(u.ut_host, "café\tbar");
  assert.equal(u.ut_line, "/dev/pts/2");
});

test("logindRecords() throws UtmpFileError ENOENT naming the directory where logind does not run", async () => {
  using t = tempDir();
  await assert.rejects(
    () => all(logindRecords(join(t.dir, "missing"))),
    (e: Error & { code?: string }) =>
      e.name === "UtmpFileError" && e.code === "ENOENT" && e.message.includes(join(t.dir, "missing")) &&
      e.message.includes("systemd-logind"),
  );
});

test("main() who under --root reads the host's logind sessions where it has no utmp, printing what who prints for the utmp", async () => {
  using t = tempDir();
  const { main } = await import("../../src/cli/main.ts");
  sessionsDir(join(t.dir, "host/run/systemd/sessions"));
  const reference = utmpdumpReverse(SAME_SESSIONS_AS_UTMP, t.file("utmp"));
  // Without -T or -u who looks at no terminal: the tree needs no /dev.
  for (const flags of [[], ["-q"]]) {
    let text = "";
    let notes = "";
    const code = await main(["--root", join(t.dir, "host"), "who", ...flags], {
      out: (chunk) => void (text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)),
      err: (line) => void (notes += line),
    });
    assert.equal(code, 0);
    // In the directory's order (the file system's): the same lines, the same names.
    const sorted = (out: string) => out.split(/[\n ]/).sort().join("\n");
    assert.equal(sorted(text), sorted(run("who", [...flags, reference])), `who ${flags.join(" ")}`);
    // The tree has no /proc mounted: every session is kept, and that is said once too.
    assert.equal(
      notes,
      `utmp who: this system's utmp is missing or empty; showing systemd-logind's sessions ` +
        `("${join(t.dir, "host/run/systemd/sessions")}")\n` +
        `utmp who: cannot check which sessions are live: "${
          join(t.dir, "host/proc")
        }" holds no proc file system (not mounted there); going on without\n`,
    );
  }
});

test(
  "main() who -a under --root takes -T and idle from the tree's /dev (here this machine's, bind-mounted), as who does from /dev",
  () => {
    using t = tempDir();
    sessionsDir(join(t.dir, "host/run/systemd/sessions"));
    const dev = join(t.dir, "host/dev");
    mkdirSync(dev);
    const reference = utmpdumpReverse(SAME_SESSIONS_AS_UTMP, t.file("utmp"));
    // The tree's /dev is a mount, as in a container that sees the host's: a private mount namespace binds /dev there,
    // with its submounts (--rbind): /dev/pts, where an open pty (a login over SSH, script(1)) has its node.
    const ran = spawnSync("unshare", [
      "-m",
      "--",
      "sh",
      "-c",
      'mount --make-rprivate / && mount --rbind /dev "$0" && exec "$@"',
      dev,
      process.execPath,
      "run",
      "-A",
      "--no-lock",
      fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url)),
      "--root",
      join(t.dir, "host"),
      "who",
      "-a",
    ], { encoding: "utf8", env: { ...ORACLE_ENV } });
    assert.equal(ran.status, 0, ran.stderr);
    // In the directory's order; no boot line (the tree has no /proc to tell the uptime, no file boot touched).
    const sorted = (out: string) => out.split("\n").sort().join("\n");
    assert.equal(sorted(ran.stdout), sorted(run("who", ["-a", reference])));
  },
  { ignore: !("Deno" in globalThis) || process.platform !== "linux" || process.getuid?.() !== 0 },
);
