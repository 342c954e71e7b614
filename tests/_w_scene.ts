/**
 * Run by logged_in_test.ts inside a private mount namespace (a tmpfs over
 * /run, a private /etc/passwd): starts real terminal sessions (`script`),
 * writes a /run/utmp holding them and stale records, and compares `utmp w`,
 * `utmp who`, `who()` and `loggedIn()` with procps `w` and coreutils `who`
 * — then the same sessions as systemd-logind's session files, and under a
 * `root`. Prints one JSON line: the comparisons, each with what was
 * expected and what came out (the last try, for one that never agreed).
 *
 * @module
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { encodeRecords, LAYOUTS, type RecordInput } from "../src/layouts/mod.ts";
import { loggedIn, type LoggedInUser, who } from "../mod.ts";
import { ours } from "./cli/_run.ts";
import { addressOctets } from "../src/sources/_plain.ts";
import { all } from "./_collect.ts";

/** One comparison. */
export interface Check {
  /** What was compared. */
  name: string;
  /** The oracle's answer. */
  expected: unknown;
  /** Ours. */
  actual: unknown;
}

const checks: Check[] = [];
const children: ChildProcess[] = [];
const NOW = Math.floor(Date.now() / 1000);

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`Cannot run ${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/** Runs an installed tool with the oracles' stable environment and more. */
function tool(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  encoding: "latin1" | "utf8" = "latin1",
): string {
  const r = spawnSync(cmd, args, {
    env: { ...process.env as Record<string, string>, TZ: "UTC", LC_ALL: "C", LANG: "C", ...env },
    encoding,
  });
  if (r.error !== undefined) throw r.error;
  return r.stdout;
}

/** Ours, with more environment for the run. */
async function mine(argv: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string }> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    const r = await ours(argv);
    return { out: r.out, err: r.err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Compares until both sides agree (their clocks tick: idle times, the time of day, the load), at most 8 tries. */
async function agree(name: string, theirs: () => unknown, ours: () => Promise<unknown>): Promise<void> {
  // Both sides in turn, so that each try compares answers of the same moment.
  let expected: unknown;
  let actual: unknown;
  for (let i = 0; i < 8; i++) {
    expected = await theirs();
    actual = await ours();
    if (JSON.stringify(expected) === JSON.stringify(actual)) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  checks.push({ name, expected, actual });
}

/** The children of a process. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** Every process below a process. */
function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let next = childrenOf(pid); next.length > 0; next = next.flatMap(childrenOf)) found.push(...next);
  return found;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0+$/, "").replaceAll("\0", " ");
  } catch {
    return "";
  }
};

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Cannot start the scene: ${what} did not happen in 20 s`);
}

/** A terminal session: `script` running `command` (as `uid`), its leader, and the leader's terminal. */
async function session(command: string, ready: RegExp, uid?: number): Promise<{ leader: number; tty: string }> {
  const argv = ["script", "-q", "-c", command, "/dev/null"];
  const full = uid === undefined ? argv : ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", ...argv];
  // script runs the command with $SHELL -c: bash execs a lone command, dash forks it. One shell everywhere (CI runs
  // with no SHELL), and the readiness probe looks at every descendant whatever the shell.
  const child = spawn(full[0]!, full.slice(1), { stdio: "ignore", env: { ...process.env, SHELL: "/bin/sh" } });
  children.push(child);
  const leader = await until(`the session of "${command}"`, () => childrenOf(child.pid!)[0]);
  // Ready when the process the session ends up running is there (after any CPU burnt first).
  await until(
    `"${command}" running`,
    () => [leader, ...descendantsOf(leader)].some((p) => ready.test(cmdline(p))) ? true : undefined,
  );
  const tty = readlinkSync(`/proc/${leader}/fd/0`).slice("/dev/".length);
  return { leader, tty };
}

function setIdle(tty: string, seconds: number): void {
  const s = statSync(`/dev/${tty}`);
  utimesSync(`/dev/${tty}`, NOW - seconds, s.mtime);
}

/** A pid no process has: a child that has exited. */
function gonePid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

/** Rows of `w -h`, parsed into the columns `loggedIn()` gives. */
function parseIval(text: string): { unit: number; value: number } | "?" {
  const t = text.trim();
  let m: RegExpExecArray | null;
  if (t === "?") return "?";
  if ((m = /^(\d+)days$/.exec(t))) return { unit: 86400, value: Number(m[1]) * 86400 };
  if ((m = /^(\d+):(\d\d)m$/.exec(t))) return { unit: 60, value: Number(m[1]) * 3600 + Number(m[2]) * 60 };
  if ((m = /^(\d+):(\d\d)$/.exec(t))) return { unit: 1, value: Number(m[1]) * 60 + Number(m[2]) };
  if ((m = /^(\d+)\.(\d\d)s$/.exec(t))) return { unit: 0.01, value: Number(m[1]) + Number(m[2]) / 100 };
  throw new Error(`Cannot read w's time "${text}"`);
}

/** A `loggedIn()` figure at the resolution `w` shows it. */
function at(value: number | null, like: { unit: number; value: number } | "?"): unknown {
  // w prints an idle time it cannot have as 0.00s (a terminal that cannot be statted): loggedIn() says null.
  if (value === null && like !== "?" && like.value === 0) return like;
  if (like === "?" || value === null) return value === null || value === 0 ? "?" : value;
  if (like.unit === 86400) return { unit: 86400, value: Math.floor(value / 86400) * 86400 };
  if (like.unit === 60) return { unit: 60, value: Math.floor(value / 60) * 60 };
  if (like.unit === 1) return { unit: 1, value: Math.floor(value) };
  return { unit: 0.01, value: Math.round(value * 100) / 100 };
}

/** What `w -h` shows of each session, and the same figures from `loggedIn()`, side by side. */
function fieldByField(rows: string[], users: LoggedInUser[]): { theirs: unknown[]; ours: unknown[] } {
  const theirs: unknown[] = [];
  const oursList: unknown[] = [];
  rows.forEach((row, i) => {
    const u = users[i];
    // LOGIN@ is 7 columns, or 8 for a date; the times 7 or more: read them as words.
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/s.exec(row.slice(34));
    if (m === null) throw new Error(`Cannot read w's row "${row}"`);
    const [login, idleText, jcpuText, pcpuText, command] = m.slice(1) as [string, string, string, string, string];
    const idle = parseIval(idleText);
    const jcpu = parseIval(jcpuText);
    const pcpu = parseIval(pcpuText);
    theirs.push({
      user: row.slice(0, 9).trim(),
      line: row.slice(9, 18).trim(),
      host: row.slice(18, 34).trim(),
      login,
      idle,
      jcpu,
      pcpu,
      command,
    });
    if (u === undefined) return;
    const d = u.loginTime;
    const p2 = (n: number) => String(n).padStart(2, "0");
    const when = /^\d\d:\d\d$/.test(login)
      ? `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`
      : /^\d\d[A-Z]/.test(login)
      ? `${p2(d.getUTCDate())}${d.toUTCString().slice(8, 11)}${p2(d.getUTCFullYear() % 100)}`
      : `${d.toUTCString().slice(0, 3)}${p2(d.getUTCHours())}`;
    const host = /^[!-~]/.test(u.host) ? u.host.replace(/[^!-~].*$/s, "-").slice(0, 16) : "-";
    oursList.push({
      user: u.user.slice(0, 8),
      line: u.line.slice(0, 8),
      host,
      login: when,
      idle: at(u.idle, idle),
      jcpu: at(u.jcpu, jcpu),
      pcpu: at(u.pcpu, pcpu),
      command: u.command,
    });
  });
  return { theirs, ours: oursList };
}

/** The figures of `w`'s first line, and `loggedIn()`'s. */
function header(line: string, users: Awaited<ReturnType<typeof loggedIn>>): { theirs: unknown; ours: unknown } {
  const m = /up (.*?),\s+(\d+) users?,\s+load average: ([\d.]+), ([\d.]+), ([\d.]+)$/.exec(line);
  const up = users.uptime ?? 0;
  const d = Math.floor(up / 86400), h = Math.floor(up / 3600) % 24, min = Math.floor(up / 60) % 60;
  const upText = (d > 0 ? `${d} day${d > 1 ? "s" : ""}, ` : "") +
    (h > 0 ? `${String(h).padStart(2, " ")}:${String(min).padStart(2, "0")}` : `${min} min`);
  return {
    theirs: m === null ? line : { up: m[1], users: Number(m[2]), load: [m[3], m[4], m[5]] },
    ours: { up: upText, users: users.userCount, load: users.loadAverage?.map((n) => n.toFixed(2)) },
  };
}

async function scene(): Promise<void> {
  // Users: alice and a long name in the password file; ghost not.
  const etc = mkdtempSync(join(tmpdir(), "w-scene-"));
  writeFileSync(
    join(etc, "passwd"),
    readFileSync("/etc/passwd", "latin1").split("\n").filter((l) => l.startsWith("root:")).join("\n") +
      "\nalice:x:1000:1000::/tmp:/bin/sh\nlongusername12:x:1002:1002::/tmp:/bin/sh\n",
  );
  sh("mount", ["--bind", join(etc, "passwd"), "/etc/passwd"]);

  const a = await session("sleep 300", /^sleep 300$/);
  const b = await session(
    "sh -c 'i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done; exec sleep 301'",
    /^sleep 301$/,
  );
  const c = await session("sh -c 'sleep 302 & sleep 303'", /^sleep 303$/, 1000);
  const d = await session(`perl -e '$0 = "caf\\xc3\\xa9\\tbar\\x01 end"; sleep 304'`, /^caf/);
  const e = await session("sleep 305", /^sleep 305$/);
  setIdle(a.tty, 4000);
  setIdle(b.tty, 30);
  setIdle(c.tty, 3 * 86400 + 500);
  setIdle(d.tty, 90);
  const stale = gonePid();
  const user = (
    s: { leader: number; tty: string },
    name: string,
    host: string,
    addr: string,
    ago: number,
    id: string,
  ): RecordInput => ({
    ut_type: "USER_PROCESS",
    ut_pid: s.leader,
    ut_line: s.tty,
    ut_id: id,
    ut_user: name,
    ut_host: host,
    ...(addr === "" ? {} : { ut_addr: addressOctets(addr)! }),
    tv_sec: NOW - ago,
  });
  const records: RecordInput[] = [
    { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", ut_id: "~~", ut_host: "6.1.0", tv_sec: NOW - 90000 },
    { ut_type: "RUN_LVL", ut_line: "~", ut_user: "runlevel", ut_id: "~~", ut_pid: 0x3335, tv_sec: NOW - 89990 },
    {
      ut_type: "LOGIN_PROCESS",
      ut_line: "tty1",
      ut_user: "LOGIN",
      ut_id: "tty1",
      ut_pid: a.leader,
      tv_sec: NOW - 89980,
    },
    user(a, "root", "192.0.2.7", "192.0.2.7", 3 * 86400, "ts/a"),
    user(b, "root", "host.example:0", "2001:db8::7", 100, "ts/b"),
    user(c, "alice", "fe80::1%eth0", "fe80::1", 10 * 86400, "ts/c"),
    user(d, "alice", "averyveryverylonghostname.example.org", "::ffff:10.1.2.3", 7 * 3600, "ts/d"),
    user(e, "ghost", "bad host", "", 60, "ts/e"),
    user({ leader: a.leader, tty: "pts/250" }, "longusername12", "", "", 200, "t250"),
    user({ leader: stale, tty: "pts/251" }, "bob", "198.51.100.2", "198.51.100.2", 5000, "t251"),
    { ut_type: "USER_PROCESS", ut_line: "pts/252", ut_id: "t252", ut_user: "", ut_pid: a.leader, tv_sec: NOW - 50 },
    { ut_type: "DEAD_PROCESS", ut_line: "pts/253", ut_id: "t253", ut_pid: stale, tv_sec: NOW - 40 },
  ];
  // Before any: /run is a fresh tmpfs, so the system keeps neither a utmp nor logind's sessions. w shows nobody.
  await agree(
    "utmp w where the system keeps no utmp and no logind sessions: w's header and nobody",
    () => tool("w", []),
    async () => (await mine(["w"])).out,
  );
  const nobody = await loggedIn();
  checks.push({
    name: "loggedIn() sessions: none where the system keeps no utmp and no logind sessions, with a note saying so",
    expected: [0, 0, true],
    actual: [nobody.length, nobody.userCount, nobody.notes.some((n) => /^no utmp at .*: no sessions to show$/.test(n))],
  });
  writeFileSync("/run/utmp", encodeRecords(LAYOUTS.linux, records));

  // utmp w, byte for byte, with each option and width.
  const W: [string[], Record<string, string>][] = [
    [[], {}],
    [["-h"], {}],
    [["-s"], {}],
    [["-f"], {}],
    [["-ff"], {}],
    [["-i"], {}],
    [["-if"], {}],
    [["-fi"], {}],
    [["-o"], {}],
    [["-os"], {}],
    [["-u"], {}],
    [["-hu"], {}],
    [["-su", "alice"], {}],
    [["alice"], {}],
    [["ghost"], {}],
    [["-u", "ghost"], {}],
    [["nobody"], {}],
    [["--no-header", "--short", "--ip-addr", "--old-style", "--no-current"], {}],
    [[], { PROCPS_USERLEN: "14" }],
    [["-i"], { PROCPS_FROMLEN: "20" }],
    [["-i"], { PROCPS_FROMLEN: "8" }],
    [[], { PROCPS_USERLEN: "5", PROCPS_FROMLEN: "300" }],
    [[], { COLUMNS: "80" }],
    [["-s"], { COLUMNS: "30" }],
    [[], { LC_ALL: "C.UTF-8" }],
  ];
  for (const [args, env] of W) {
    await agree(
      `utmp w ${args.join(" ")} ${JSON.stringify(env)}`,
      () => tool("w", args, env),
      async () => (await mine(["w", ...args], env)).out,
    );
  }

  // utmp who, as coreutils prints the system's utmp (the stale session left out).
  for (const args of [[], ["-u"], ["-a"], ["-H", "-u"], ["--ips"], ["-u", "--ips"], ["-q"], ["-T"], ["-b"]]) {
    await agree(`utmp who ${args.join(" ")}`, () => tool("who", args), async () => (await mine(["who", ...args])).out);
  }
  await agree("utmp users", () => tool("users", []), async () => (await mine(["users"])).out);

  // who(): coreutils who's lines for the system's utmp; with all: true, the lines of `who FILE` (nothing checked).
  const pairs = (text: string) => text.split("\n").filter((l) => l !== "").map((l) => l.split(/\s+/).slice(0, 2));
  const libraryPairs = async (options: Parameters<typeof who>[0]) => {
    const list: string[][] = await all(who(options), (u) => [u.ut_user, u.ut_line.replace(/^\/dev\//, "")]);
    return list;
  };
  await agree("who() lines", () => pairs(tool("who", [])), () => libraryPairs({}));
  await agree("who({ all: true }) lines", () => pairs(tool("who", ["/run/utmp"])), () => libraryPairs({ all: true }));
  await agree(
    "who({ path }) lines",
    () => pairs(tool("who", ["/run/utmp"])),
    () => libraryPairs({ path: "/run/utmp" }),
  );

  // loggedIn(), field by field against w (in a UTF-8 locale, as loggedIn() escapes commands).
  const utf8 = { LC_ALL: "C.UTF-8" };
  await agree("loggedIn() rows against w -h", () => {
    const rows = tool("w", ["-h"], utf8).split("\n").filter((l) => l !== "");
    return rows.length;
  }, async () => (await loggedIn()).filter((u) => u.user !== "ghost").length);
  let compared: { theirs: unknown[]; ours: unknown[] } = { theirs: [], ours: [] };
  for (let i = 0; i < 8; i++) {
    const rows = tool("w", ["-h"], utf8, "utf8").split("\n").filter((l) => l !== "");
    const users = (await loggedIn()).filter((u) => u.user !== "ghost");
    compared = fieldByField(rows, users);
    if (JSON.stringify(compared.theirs) === JSON.stringify(compared.ours)) break;
  }
  checks.push({ name: "loggedIn() field by field against w -h", expected: compared.theirs, actual: compared.ours });
  await agree(
    "loggedIn() addresses against w -h -i",
    () => {
      return tool("w", ["-h", "-i"]).split("\n").filter((l) => l !== "").map((r) => r.slice(18, 34).trim());
    },
    async () =>
      (await loggedIn()).filter((u) => u.user !== "ghost").map((u) =>
        u.addr === "" ? (/^[!-~]/.test(u.host) ? u.host.replace(/[^!-~].*$/s, "-").slice(0, 16) : "-") : (
          u.addr.startsWith("::ffff:") ? u.addr.slice(7) : u.addr
        ) + (u.host.includes("%")
          ? u.host.slice(u.host.indexOf("%"))
          : /^[^:]*:[^:]*$/.test(u.host)
          ? u.host.slice(u.host.indexOf(":"))
          : "")
      ),
  );
  let head: { theirs: unknown; ours: unknown } = { theirs: 0, ours: 1 };
  for (let i = 0; i < 8; i++) {
    head = header(tool("w", []).split("\n")[0]!, await loggedIn());
    if (JSON.stringify(head.theirs) === JSON.stringify(head.ours)) break;
  }
  checks.push({
    name: "loggedIn() uptime, userCount, loadAverage against w's first line",
    ...{ expected: head.theirs, actual: head.ours },
  });
  const anyUser = await loggedIn({ anyUser: true });
  const ghost = anyUser.find((u) => u.user === "ghost");
  checks.push({
    name: "loggedIn() keeps a user the password file does not name, its command as w -u shows it",
    expected: /^.{34}\s*\S+\s+\S+\s+\S+\s+\S+\s+(.*)$/s.exec(tool("w", ["-hu", "ghost"]).trimEnd())?.[1],
    actual: ghost?.command,
  });
  checks.push({
    name: "loggedIn() sessions: source, pid, tty",
    expected: [a, b, c, d, e, { leader: a.leader, tty: "pts/250" }].map((s) => ["utmp", s.leader, `/dev/${s.tty}`]),
    actual: anyUser.map((u) => [u.source, u.pid, u.tty]),
  });

  // An X display's session (":0"): "?xdm?" for its idle time. Its JCPU is the CPU time of every process without a
  // terminal (w looks its line up as "/dev/", device 0), which no two runs see alike: that column is left out.
  const withDisplay = [...records, user({ leader: e.leader, tty: ":0" }, "root", ":0", "", 120, "x0")];
  writeFileSync("/run/utmp", encodeRecords(LAYOUTS.linux, withDisplay));
  const maskJcpu = (text: string, short: boolean) =>
    text.split("\n").map((l) => !short && l.startsWith("root     :0 ") ? l.slice(0, 48) + l.slice(55) : l);
  for (const args of [[], ["-s"], ["-o"], ["-i"]]) {
    const short = args.includes("-s");
    await agree(
      `utmp w ${args.join(" ")} with an X display's session`,
      () => maskJcpu(tool("w", args), short),
      async () => maskJcpu((await mine(["w", ...args])).out, short),
    );
  }
  writeFileSync("/run/utmp", encodeRecords(LAYOUTS.linux, records));

  // In Deno without --allow-all: one line naming the flag, no stack trace.
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) {
    const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
    const r = spawnSync(
      deno.execPath(),
      ["run", "--no-lock", "--allow-read", "--allow-env", "--allow-sys", main, "w"],
      {
        encoding: "utf8",
      },
    );
    checks.push({
      name: "utmp w in Deno without --allow-all: exit 1, one line naming the flag",
      expected: { code: 1, lines: 1, flag: true },
      actual: {
        code: r.status,
        lines: r.stderr.split("\n").filter((l) => l !== "").length,
        flag: r.stderr.includes("--allow-all"),
      },
    });
  }

  // Under a root that is this system (its /proc and /dev mounted there): the same answers.
  const host = mkdtempSync(join(tmpdir(), "w-host-"));
  sh("mount", ["--rbind", "/", host]);
  try {
    const strip = (users: LoggedInUser[]) =>
      users.map((u) => ({ ...u, idle: u.idle === null ? null : Math.floor(u.idle / 60) }));
    await agree(
      "loggedIn({ root }) with the root's /proc and /dev",
      async () => strip(await loggedIn()),
      async () => strip(await loggedIn({ root: host })),
    );
    await agree("utmp --root w", () => tool("w", []), async () => (await mine(["--root", host, "w"])).out);
    await agree(
      "utmp --root who -u",
      () => tool("who", ["-u"]),
      async () => (await mine(["--root", host, "who", "-u"])).out,
    );
  } finally {
    spawnSync("umount", ["-l", host]);
  }

  // Under a root without /proc or /dev: every session, nothing that needs them, and notes.
  const bare = mkdtempSync(join(tmpdir(), "w-bare-"));
  mkdirSync(join(bare, "run"));
  mkdirSync(join(bare, "var"));
  symlinkSync("/run", join(bare, "var/run")); // as on the system itself
  mkdirSync(join(bare, "etc"));
  writeFileSync(join(bare, "run/utmp"), readFileSync("/run/utmp"));
  writeFileSync(join(bare, "etc/passwd"), readFileSync("/etc/passwd"));
  const underBare = await loggedIn({ root: bare });
  checks.push({
    name: "loggedIn({ root }) without /proc and /dev",
    expected: { users: ["root", "root", "alice", "alice", "ghost", "longusername12", "bob"], nulls: true, notes: 2 },
    actual: {
      users: underBare.map((u) => u.user),
      nulls: underBare.every((u) => u.idle === null && u.command === null && u.jcpu === null && u.pcpu === null) &&
        underBare.uptime === null && underBare.loadAverage === null,
      notes: underBare.notes.length,
    },
  });
  const bareWho = await mine(["--root", bare, "who", "-u"]);
  checks.push({
    name: "utmp --root who -u without DIR/dev and DIR/proc: unknown idle times, every session, a note for each",
    expected: { lines: 7, idle: "?", notes: 2, says: true },
    actual: {
      lines: bareWho.out.split("\n").filter((l) => l !== "").length,
      idle: bareWho.out.split("\n").filter((l) => l !== "").every((l) => / \d\d:\d\d {3}\? /.test(l))
        ? "?"
        : bareWho.out,
      notes: bareWho.err.split("\n").filter((l) => l !== "").length,
      says: bareWho.err.includes(`"${join(bare, "dev")}"`) && bareWho.err.includes(`"${join(bare, "proc")}"`),
    },
  });
  rmSync(bare, { recursive: true, force: true });

  // The same sessions as logind's session files: the same users, and w's text (rows in start order).
  const uids: Record<string, string> = { root: "0", alice: "1000", longusername12: "1002" };
  mkdirSync("/run/systemd/sessions", { recursive: true });
  let id = 10;
  for (const r of records) {
    if (r.ut_type !== "USER_PROCESS" || r.ut_user === "") continue;
    const name = String(r.ut_user);
    const values: Record<string, string | undefined> = {
      UID: uids[name],
      USER: name,
      CLASS: "user",
      TTY: String(r.ut_line),
      REMOTE_HOST: r.ut_host === "" ? undefined : String(r.ut_host),
      LEADER: String(r.ut_pid),
      REALTIME: `${r.tv_sec}000000`,
    };
    writeFileSync(
      `/run/systemd/sessions/${id++}`,
      "# This is private data. Do not parse.\n" +
        Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join("\n") + "\n",
    );
  }
  const inOrder = (users: LoggedInUser[]) =>
    users.map((u) => ({ ...u, source: "", addr: "", idle: u.idle === null ? null : Math.floor(u.idle / 60) }))
      .sort((x, y) => x.loginTime.getTime() - y.loginTime.getTime());
  const away = "/run/utmp.away";
  /** Runs `f` while the system keeps no utmp (so logind's sessions are read). */
  const withoutUtmp = async <T>(f: () => Promise<T>): Promise<T> => {
    renameSync("/run/utmp", away);
    try {
      return await f();
    } finally {
      renameSync(away, "/run/utmp");
    }
  };
  const fromLogind = await withoutUtmp(() => loggedIn());
  // Idle minutes tick between two readings: agree() reads both sides again until they are of one moment.
  await agree(
    "loggedIn() from logind's session files",
    async () => inOrder(await loggedIn()),
    async () => inOrder(await withoutUtmp(() => loggedIn())),
  );
  checks.push({
    name: "loggedIn() from logind: source and addresses",
    // Each session's address is its REMOTE_HOST as written above when that is an address (its zone left out), by
    // leader pid: what the scene wrote, not what was read.
    expected: fromLogind.map((u) => {
      const written = records.find((r) => r.ut_type === "USER_PROCESS" && r.ut_pid === u.pid && r.ut_user === u.user);
      const ip = String(written?.ut_host ?? "").replace(/%.*$/, "");
      return ["logind", /^[\d.]+$|^[\da-f:]+$/.test(ip) ? ip : ""];
    }),
    actual: fromLogind.map((u) => [u.source, u.addr]),
  });
  // The first line and the rows (in start order): the column headings over logind are procps 4.0.4's (Debian
  // 13's, compared in debian13_test.ts), one column wider than 4.0.2's here.
  const sortRows = (text: string) => {
    const lines = text.split("\n");
    return [lines[0]!, ...lines.slice(2).sort()];
  };
  for (const args of [[], ["-s"], ["-u"], ["alice"]]) {
    await agree(
      `utmp w ${args.join(" ")} from logind's session files`,
      () => sortRows(tool("w", args)),
      async () => sortRows((await withoutUtmp(() => mine(["w", ...args]))).out),
    );
  }
}

try {
  await scene();
} finally {
  for (const c of children) c.kill("SIGKILL");
}
process.stdout.write(JSON.stringify(checks) + "\n");
process.exit(0);
