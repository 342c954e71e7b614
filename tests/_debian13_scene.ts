/**
 * Run by debian13_test.ts inside a private mount namespace (see
 * _debian13.ts): mounts the Debian 13 root with crafted logind session
 * files led by live processes and real ptys (`script`), and compares
 * `utmp --root R who`, `users`, `w`, `who()`, `loggedIn()` and `watch()`
 * with what Debian 13's coreutils 9.7 and procps 4.0.4 print for the same
 * sessions at the same moment. Prints one JSON line: the comparisons.
 *
 * @module
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { loggedIn, watch, who } from "../mod.ts";
import { ours } from "./cli/_run.ts";
import { inRoot, mountDebian13 } from "./_debian13.ts";
import type { Check } from "./_w_scene.ts";
import { all } from "./_collect.ts";

/** What the scene prints: its comparisons. */
export type SceneChecks = Check[];

const root = process.env.UTMP_DEBIAN13_ROOT!;
const checks: Check[] = [];
const children: ChildProcess[] = [];
const NOW = Math.floor(Date.now() / 1000);

/** The children of a process. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Cannot start the scene: ${what} did not happen in 20 s`);
}

/** A pty session (`script`): its own pid (no terminal), its child's (on the pty), the pty and its ctime in µs. */
async function ptySession(seconds: number): Promise<{ script: number; child: number; tty: string; usec: bigint }> {
  const child = spawn("script", ["-q", "-c", `sleep ${seconds}`, "/dev/null"], {
    stdio: "ignore",
    env: { ...process.env, SHELL: "/bin/sh" },
  });
  children.push(child);
  const leader = await until("a pty session", () => childrenOf(child.pid!)[0]);
  const tty = await until("its terminal", () => {
    try {
      const t = readlinkSync(`/proc/${leader}/fd/0`);
      return t.startsWith("/dev/pts/") ? t : undefined;
    } catch {
      return undefined;
    }
  });
  const usec = statSync(tty, { bigint: true }).ctimeNs / 1000n;
  return { script: child.pid!, child: leader, tty: tty.slice("/dev/".length), usec };
}

/** A live process with no terminal, to lead a session. */
function leader(): number {
  const child = spawn("sleep", ["300"], { stdio: "ignore" });
  children.push(child);
  return child.pid!;
}

/** A pid no process has. */
function gonePid(): number {
  return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

const session = (values: Record<string, string | number | bigint>): string =>
  "# This is private data. Do not parse.\n" + Object.entries(values).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";

/** Compares until both sides agree (idle times and the clock move), at most 8 tries. */
async function agree(name: string, theirs: () => unknown, mine: () => Promise<unknown>): Promise<void> {
  let expected: unknown;
  let actual: unknown;
  for (let i = 0; i < 8; i++) {
    expected = await theirs();
    actual = await mine();
    if (JSON.stringify(expected) === JSON.stringify(actual)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  checks.push({ name, expected, actual });
}

const tool = (argv: string[], env: Record<string, string> = {}): string => inRoot(root, argv, env).out;
const mine = async (argv: string[], env: Record<string, string> = {}): Promise<string> => {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return (await ours(["--root", root, ...argv])).out;
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
};

async function scene(): Promise<void> {
  const a = await ptySession(300);
  const b = await ptySession(301);
  const g = await ptySession(302);
  const us = (ago: number) => `${NOW - ago}000000`;
  const user = { UID: 0, USER: "root", CLASS: "user" };
  const files: Record<string, string> = {
    // sshd without a TTY: its line guessed from the pty that changed at its start, its terminal a leader's child's.
    "5": session({
      ...user,
      TYPE: "tty",
      SERVICE: "sshd",
      REMOTE_HOST: "203.0.113.7",
      LEADER: a.script,
      REALTIME: a.usec,
    }),
    "6": session({
      ...user,
      TYPE: "tty",
      TTY: b.tty,
      SERVICE: "sshd",
      REMOTE_USER: "bob",
      REMOTE_HOST: "198.51.100.2",
      LEADER: b.child,
      REALTIME: us(100),
    }),
    // A seat and a tty: two lines for who, one row for w.
    "7": session({
      ...user,
      TYPE: "x11",
      SEAT: "seat0",
      TTY: "tty7",
      DISPLAY: ":0",
      LEADER: leader(),
      REALTIME: us(200),
    }),
    // Cockpit.
    "8": session({
      ...user,
      TYPE: "web",
      SERVICE: "cockpit",
      REMOTE_HOST: "192.0.2.9",
      LEADER: leader(),
      REALTIME: us(300),
    }),
    // A dead leader: left out by who, w and users (counted by w's first line).
    "9": session({ ...user, TYPE: "tty", TTY: "pts/250", LEADER: gonePid(), REALTIME: us(50) }),
    // A manager session on a terminal: who -l's LOGIN line; the manager without one: nothing.
    "10": session({ ...user, CLASS: "manager", TYPE: "tty", TTY: "pts/251", LEADER: leader(), REALTIME: us(400) }),
    "c1": session({ ...user, CLASS: "manager", TYPE: "unspecified", LEADER: leader(), REALTIME: us(410) }),
    // A tty session with neither TTY nor SERVICE: the pty alone.
    "11": session({ ...user, TYPE: "tty", LEADER: g.child, REALTIME: g.usec }),
    // A greeter on a seat (coreutils 9.7 lists it; w does not: not a user class).
    "12": session({
      UID: 0,
      USER: "root",
      CLASS: "greeter",
      TYPE: "x11",
      SEAT: "seat1",
      LEADER: leader(),
      REALTIME: us(500),
    }),
    // A name longer than utmp's 32 bytes (9.7 cuts nothing), on B's terminal.
    "13": session({
      UID: 0,
      USER: "averyveryverylongusername-of-forty-chars",
      CLASS: "user",
      TYPE: "tty",
      TTY: b.tty,
      LEADER: leader(),
      REALTIME: us(600),
    }),
    // An x11 session with a display only: who names no line, w shows it.
    "14": session({ ...user, CLASS: "user-early", TYPE: "x11", DISPLAY: ":5", LEADER: g.script, REALTIME: us(700) }),
    // Logged in two days ago; a user the password file does not name; sshd without a TTY and no pty near its start.
    "15": session({ ...user, TYPE: "tty", TTY: b.tty, LEADER: leader(), REALTIME: us(2 * 86400 + 600) }),
    "16": session({
      UID: 1234,
      USER: "ghost",
      CLASS: "user",
      TYPE: "tty",
      TTY: b.tty,
      LEADER: leader(),
      REALTIME: us(30),
    }),
    "17": session({
      ...user,
      TYPE: "tty",
      SERVICE: "sshd",
      REMOTE_HOST: "host.example",
      LEADER: leader(),
      REALTIME: us(9000),
    }),
  };
  // A pty's status change time moves as it is used: taken again just before the files are written.
  const fresh = (tty: string) => statSync(`/dev/${tty}`, { bigint: true }).ctimeNs / 1000n;
  files["5"] = files["5"]!.replace(`REALTIME=${a.usec}`, `REALTIME=${fresh(a.tty)}`);
  files["11"] = files["11"]!.replace(`REALTIME=${g.usec}`, `REALTIME=${fresh(g.tty)}`);
  const run: Record<string, string> = {};
  for (const [id, text] of Object.entries(files)) run[`/run/systemd/sessions/${id}`] = text;
  mountDebian13(root, run);

  for (
    const args of [[], ["-a"], ["-b"], ["-q"], ["-u"], ["-H"], ["-l"], ["-s"], ["-T"], ["-H", "-u"], ["-r"], ["-d"]]
  ) {
    await agree(`utmp who ${args.join(" ")}`, () => tool(["who", ...args]), () => mine(["who", ...args]));
  }
  const listed = tool(["who"]);
  checks.push({
    name: "utmp who: the scene holds what it is for (Debian 13's who lists a TTY-less ssh session by its pty, a seat)",
    expected: [true, true],
    actual: [/ sshd pts\/\d+ /.test(listed), / seat0 /.test(listed)],
  });
  await agree("utmp users", () => tool(["users"]), () => mine(["users"]));
  const W: [string[], Record<string, string>][] = [
    [[], {}],
    [["-h"], {}],
    [["-s"], {}],
    [["-i"], {}],
    [["-u"], {}],
    [["-o"], {}],
    [["-f"], {}],
    [["-hs"], {}],
    [["root"], {}],
    [["ghost"], {}],
    [[], { PROCPS_FROMLEN: "20", PROCPS_USERLEN: "12" }],
  ];
  for (const [args, env] of W) {
    await agree(
      `utmp w ${args.join(" ")} ${JSON.stringify(env)}`,
      () => tool(["w", ...args], env),
      () => mine(["w", ...args], env),
    );
  }

  // who(): the user and line of each line Debian 13's who prints (a line may hold a space: "sshd pts/0").
  const lines = (text: string) =>
    text.split("\n").filter((l) => l !== "").map((l) => {
      const m = /^(\S+)\s+(.*?)\s+[A-Z][a-z]{2} [ \d]\d \d\d:\d\d/.exec(l);
      return m === null ? [l] : [m[1], m[2]];
    });
  const library = async () => {
    const list: string[][] = await all(who({ root }), (u) => [u.ut_user, u.ut_line.replace(/^\/dev\//, "")]);
    return list;
  };
  await agree("who() yields the lines of Debian 13's who", () => lines(tool(["who"])), library);

  // loggedIn(): w's rows, field by field (user, terminal, host, command), and each session's line as who names it.
  const rows = (text: string) =>
    text.split("\n").filter((l) => l !== "").map((
      l,
    ) => [l.slice(0, 9).trim(), l.slice(9, 18).trim(), l.slice(18, 34).trim(), l.slice(64)]);
  await agree(
    "loggedIn() gives w's rows: user, terminal, host, command",
    () => rows(tool(["w", "-h"])),
    async () =>
      (await loggedIn({ root })).map((u) => [
        u.user.slice(0, 8),
        (u.tty ?? "").replace(/^\/dev\//, "").slice(0, 8),
        u.host === "" ? "-" : u.host.slice(0, 16),
        u.command,
      ]),
  );
  const whoByPid = new Map<number, string>();
  for (const l of tool(["who", "-u"]).split("\n").filter((x) => x !== "")) {
    const m = /^\S+\s+(.*?)\s+[A-Z][a-z]{2} [ \d]\d \d\d:\d\d\s+\S+\s+(\d+)/.exec(l);
    if (m !== null) whoByPid.set(Number(m[2]), m[1]!);
  }
  const users = await loggedIn({ root });
  checks.push({
    name:
      "loggedIn() names each session's line as Debian 13's who does (its terminal's line; '' for one who leaves out)",
    expected: users.map((u) => whoByPid.get(u.pid) ?? ""),
    actual: users.map((u) => u.line),
  });
  checks.push({
    name: "loggedIn() gives a TTY-less ssh session the terminal w finds, and its idle time",
    expected: [true, true],
    actual: (() => {
      const s = users.find((u) => u.pid === a.script && u.line.startsWith("sshd"));
      return [s?.tty === `/dev/${a.tty}`, typeof s?.idle === "number"];
    })(),
  });
  checks.push({
    name: "loggedIn() userCount is w's user count",
    expected: Number(/(\d+) users?,/.exec(tool(["w"]))?.[1]),
    actual: users.userCount,
  });

  // watch(): every user line who lists (and the dead leader's, which watch does not check) as a login.
  const stop = new AbortController();
  const seen: string[] = [];
  const timer = setTimeout(() => stop.abort(), 1500);
  for await (const e of watch(undefined, { root, mode: "logind", from: "start", signal: stop.signal })) {
    if (e.type === "login") seen.push(`${e.record.ut_user} ${e.record.ut_line.replace(/^\/dev\//, "")}`);
  }
  clearTimeout(timer);
  checks.push({
    name: "watch() reports every line Debian 13's who lists as a login, TTY-less ones included",
    expected: [...lines(tool(["who"])).map((l) => l.join(" ")), "root pts/250"].sort(),
    actual: seen.sort(),
  });

  // Hostile: a TTY-less session whose SERVICE and host hold terminal controls: shown escaped, never raw.
  writeFileSync(
    join(root, "run/systemd/sessions/99"),
    session({
      ...user,
      TYPE: "tty",
      SERVICE: "ss\x1b]0;pwned\x07hd",
      REMOTE_HOST: "h\x1b[2Jx",
      LEADER: leader(),
      REALTIME: us(5),
    }),
  );
  const hostile = [await mine(["who", "-a"]), await mine(["w"]), await mine(["users"])].join("");
  checks.push({
    name: "who, w and users over a hostile session file print no control character",
    expected: false,
    actual: [...hostile].some((c) => (c < " " && c !== "\n") || c === "\x7f"),
  });
}

try {
  await scene();
} finally {
  for (const c of children) c.kill("SIGKILL");
}
process.stdout.write(JSON.stringify(checks) + "\n");
process.exit(0);
