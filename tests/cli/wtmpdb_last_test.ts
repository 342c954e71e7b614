/**
 * `utmp last` over wtmpdb databases against Debian 13's `last`, which is
 * wtmpdb 0.73's `wtmpdb last`, byte for byte: over databases Debian 13's own
 * `wtmpdb import` made from generated wtmp files, and over rows written with
 * `sqlite3` that no importer writes (services, open boots, odd types, ties,
 * a logout before its login), for each of its options; `--json` against
 * `wtmpdb last -j`, field by field; plain `utmp last` on a system that keeps
 * only wtmpdb. Times are fixed: wtmpdb decides "still logged in" and
 * "crash" from the boots in the database, not from now.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { encode, type GenRecord, wtmpScenario } from "./_gen.ts";
import { ours } from "./_run.ts";
import { inDebian13, inDebian13With, type OracleDir, oracleDir, sqlite3, wtmpdbImport } from "./_debian13.ts";
import { HAS_SQLITE, WTMPDB_SCHEMA } from "../sources/_build.ts";

process.env.TZ = "UTC";
process.env.LC_ALL = "C";

const NO_SQLITE = { ignore: !HAS_SQLITE };

/** A byte string (what the runs print) read as UTF-8. */
const utf8 = (s: string): string => new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));

/** Option sets that need nothing from the database. */
const VARIANTS: string[][] = [
  [],
  ["-x"],
  ["-a"],
  ["-R"],
  ["-w"],
  ["-F"],
  ["-S"],
  ["-x", "-S"],
  ["-a", "-S", "-w"],
  ["-R", "-S", "-x", "-F"],
  ["--time-format", "iso"],
  ["--time-format", "iso", "-x", "-S"],
  ["--time-format", "full", "-a"],
  ["--time-format", "notime", "-x"],
  ["--time-format=short", "-R"],
  ["-n", "7"],
  ["-5", "-x"],
  ["-1", "-2"],
  ["--limit=12", "-w"],
  ["--fullt", "--sys"],
  ["--hostlast", "--fulln", "--serv"],
];

/** "YYYY-MM-DD HH:MM:SS" (UTC, as the tests run). */
function stamp(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Option sets from the records: time windows, a user and a tty to show. */
function fileVariants(records: readonly GenRecord[]): string[][] {
  const times = records.map((r) => r.tv_sec).sort((a, b) => a - b);
  const at = (f: number): number => times[Math.floor(f * (times.length - 1))]!;
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  const logins = records.filter((r) => r.ut_type_raw === 7 && r.ut_user.length > 0);
  return [
    ["-s", stamp(at(0.5))],
    ["-t", stamp(at(0.5))],
    ["--since", stamp(at(0.2)), "--until", stamp(at(0.7)), "-x"],
    ["-p", stamp(at(0.4))],
    ["--present", stamp(at(0.8)), "-x", "-F"],
    ["-s", stamp(at(0.3)).slice(0, 10)],
    ["-t", stamp(at(0.6)).replace(/[- :]/g, "")],
    [text(logins[0]!.ut_user)],
    [text(logins[1]!.ut_line), "reboot", "-x"],
    ["~", "-x"],
  ];
}

/** Records whose names the database can hold as wtmpdb prints them: UTF-8, no control bytes (see the hostile test). */
function printable(records: GenRecord[]): GenRecord[] {
  const clean = (b: Uint8Array): Uint8Array => {
    try {
      const s = new TextDecoder("utf-8", { fatal: true }).decode(b);
      if (![...s].some((c) => c < " " || c === "\x7f")) return b;
    } catch {
      // Not UTF-8.
    }
    return new TextEncoder().encode("félix");
  };
  return records.map((r) => ({ ...r, ut_user: clean(r.ut_user), ut_host: clean(r.ut_host) }));
}

/**
 * Compares `utmp last -f DB ARGS` with `wtmpdb last -f DB ARGS` in the root;
 * the "begins" line names the database by the path each was given.
 */
async function compare(dir: OracleDir, db: string, args: string[]): Promise<void> {
  const theirs = inDebian13(["wtmpdb", "last", "-f", `${dir.inside}/${db}`, ...args]);
  assert.equal(theirs.code, 0, `wtmpdb last ${args.join(" ")}: ${theirs.err}`);
  const mine = await ours(["last", "-f", join(dir.host, db), ...args]);
  assert.equal(mine.err, "", `utmp last ${args.join(" ")}`);
  assert.equal(mine.code, 0);
  const named = mine.out.replaceAll(`${join(dir.host, db)} `, `${dir.inside}/${db} `);
  assert.equal(named, theirs.out, `utmp last -f ${db} ${args.join(" ")}`);
  // Nothing was left for the comparison to pass on.
  assert.ok(theirs.out.length > 40, `wtmpdb last ${args.join(" ")} printed: ${theirs.out}`);
}

test(
  "main() last -f wtmp.db prints what Debian 13's wtmpdb last prints over databases wtmpdb import made, option by option",
  async () => {
    using dir = oracleDir();
    for (const seed of [1, 7, 26]) {
      const records = printable(wtmpScenario(seed, { events: 300, start: 1_500_000_000 + seed * 86400 }));
      dir.file(`wtmp-${seed}`, encode(records));
      wtmpdbImport(dir, `wtmp-${seed}`, `w-${seed}.db`);
      for (const args of [...VARIANTS, ...fileVariants(records)]) await compare(dir, `w-${seed}.db`, args);
    }
  },
  NO_SQLITE,
);

/** µs from 2023-11-14T22:13:20Z. */
const us = (sec: number): number => (1_700_000_000 + sec) * 1e6;

/** A row for the `sqlite3` command. */
function row(
  type: number,
  user: string,
  login: number | null,
  logout: number | null,
  tty: string | null,
  host: string | null,
  service: string | null,
): string {
  const v = (x: string | number | null) =>
    x === null ? "NULL" : typeof x === "number" ? String(x) : `'${x.replaceAll("'", "''")}'`;
  return `INSERT INTO wtmp (Type, User, Login, Logout, TTY, RemoteHost, Service) VALUES (${
    [type, user, login, logout, tty, host, service].map(v).join(", ")
  });`;
}

/**
 * Rows no importer writes: services, three boots (one still open after a
 * newer one: a crash), a soft reboot, a run level and an unknown type left
 * open, rows that began together (an open one sorts first), a logout before
 * its login, names and hosts past their columns, addresses for -i.
 */
const CRAFTED = [
  row(1, "reboot", us(0), us(5000), "~", "6.1.0-13-amd64", null),
  row(3, "alice", us(60), us(3600), "tty1", null, "login"),
  row(3, "bob", us(120), us(7200), "pts/0", "198.51.100.4", "sshd"),
  row(3, "carol", us(200), null, "ssh", "2001:DB8:0:0::7", "sshd"),
  row(3, "a-user-name-of-32-characters-xyz", us(300), us(400), "pts/12345678901234", "h".repeat(60), "cron"),
  row(1, "reboot", us(6000), null, "~", "6.1.0-13-amd64", null),
  row(1, "soft-reboot", us(9000), us(12000), "~", "6.1.0-13-amd64", null),
  row(2, "runlevel", us(9100), null, "~", null, null),
  row(7, "odd", us(9200), null, "pts/3", null, null),
  row(3, "dave", us(9300), us(9400), "pts/1", "::ffff:192.0.2.1", "a-service-name-past-12"),
  row(3, "erin", us(9300), null, "pts/2", "192.0.2.9", "sshd"),
  row(3, "erin", us(9300), us(9350), "pts/4", "192.0.2.9", "sshd"),
  row(3, "frank", us(9500), us(9400), "pts/5", null, "sshd"),
  row(1, "reboot", us(20000), null, "~", "6.12.9-amd64", null),
  row(3, "grace", us(20100.25), us(20100.75), "tty2", null, "login"),
  row(3, "heidi", us(20200), null, "pts/0", "203.0.113.77", "sshd"),
  row(3, "ivan", us(20300), us(20300 + 3 * 86400 + 7260), "pts/6", "2001:db8::1:0:0:1", "sshd"),
  row(3, "jürgen", us(20400), null, "tty3", "höst", "login"),
];

test(
  "main() last -f prints what wtmpdb last prints over rows sqlite3 wrote: services, crashes, ties, odd types",
  async () => {
    using dir = oracleDir();
    sqlite3(join(dir.host, "c.db"), WTMPDB_SCHEMA + CRAFTED.join("\n"));
    // -i and -d over these hosts: address literals (no lookup to make) and names -d leaves alone.
    const variants = [...VARIANTS, ["-i"], ["-i", "-a", "-x"], ["-d", "-w"], ["erin"], ["pts/0", "-S"]];
    for (const args of variants) await compare(dir, "c.db", args);
    // An empty database.
    sqlite3(join(dir.host, "empty.db"), WTMPDB_SCHEMA);
    const theirs = inDebian13(["wtmpdb", "last", "-f", `${dir.inside}/empty.db`]);
    const mine = await ours(["last", "-f", join(dir.host, "empty.db")]);
    assert.equal(mine.out.replace(dir.host, dir.inside), theirs.out);
    assert.match(theirs.out, /has no entries/);
  },
  NO_SQLITE,
);

test("main() last --json over a wtmpdb carries every field wtmpdb last -j has, service included", async () => {
  using dir = oracleDir();
  sqlite3(join(dir.host, "c.db"), WTMPDB_SCHEMA + CRAFTED.join("\n"));
  for (const args of [[], ["-x"], ["-S", "-x", "-n", "9"], ["-s", stamp(1_700_009_000)], ["-F", "-x"]]) {
    const theirs = JSON.parse(
      utf8(inDebian13(["wtmpdb", "last", "-j", "-f", `${dir.inside}/c.db`, ...args]).out),
    ) as {
      entries: Record<string, string>[];
    };
    const mine = await ours(["last", "--json", "-f", join(dir.host, "c.db"), ...args]);
    assert.equal(mine.code, 0);
    const sessions = JSON.parse(utf8(mine.out)) as {
      kind: string;
      end: string;
      loginTime: string;
      logoutTime: string | null;
      duration: number | null;
      login: { ut_user: string; ut_host: string; ut_service: string; ut_line: string };
      row: { user: string; tty: string | null; remoteHost: string | null; service: string | null };
    }[];
    assert.equal(sessions.length, theirs.entries.length, `entries of ${args.join(" ")}`);
    const full = args.includes("-F");
    const time = (iso: string): string => {
      const d = new Date(iso);
      const text = d.toUTCString(); // "Tue, 14 Nov 2023 22:13:20 GMT"
      const [wd, day, mon, year, hms] = text.replace(",", "").split(" ") as [string, string, string, string, string];
      const base = `${wd} ${mon} ${day.padStart(2, " ")} ${hms.slice(0, 5)}`;
      return full ? `${base}${hms.slice(5)} ${year}` : base;
    };
    sessions.forEach((s, i) => {
      const e = theirs.entries[i]!;
      const what = `${args.join(" ")} entry ${i}: ${JSON.stringify(e)}`;
      assert.equal(s.kind === "shutdown" ? "shutdown" : s.row.user, e.user, what);
      const tty = s.kind === "shutdown" ? "system down" : s.kind === "reboot" ? "system boot" : s.row.tty ?? "?";
      assert.equal(tty, e.tty, what);
      assert.equal(s.row.remoteHost ?? "", e.hostname, what);
      if (s.kind !== "shutdown") assert.equal(s.login.ut_host, s.row.remoteHost ?? "", what);
      // -j prints the service with -S only, as its column: " %-12.12s".
      const service = (s.row.service ?? "").slice(0, 12).padEnd(12);
      assert.equal(args.includes("-S") ? ` ${service}` : undefined, e.service, what);
      assert.equal(s.login.ut_service, s.kind === "shutdown" ? s.login.ut_service : s.row.service ?? "", what);
      assert.equal(time(s.loginTime), e.login, what);
      if (e.length !== undefined) {
        assert.equal(s.end, "logout", what);
        assert.equal(time(s.logoutTime!).slice(full ? 0 : 11), e.logout, what);
        const d = s.duration!;
        // A logout before its login: wtmpdb's unsigned subtraction wraps to some 213 503 982 days.
        if (d < 0) return assert.match(e.length, /^\d{9}\+\d\d:\d\d$/, what);
        const hm = `${String(Math.trunc(d / 3600) % 24).padStart(2, "0")}:${
          String(Math.trunc(d / 60) % 60).padStart(2, "0")
        }`;
        assert.equal(d >= 86400 ? `${Math.trunc(d / 86400)}+${hm}` : hm, e.length, what);
      } else {
        // "still logged in", "still running", "crash " (logout and an empty length), "ERROR Unknown: 7".
        const word = e.logout!.trim();
        assert.equal(word === "ERROR Unknown: 7" || word === "ERROR Unknown: 2" ? "none" : word, s.end, what);
      }
    });
  }
}, NO_SQLITE);

test(
  "main() last on a system that keeps only wtmpdb (--root, no wtmp) prints what its wtmpdb last prints",
  async () => {
    using dir = oracleDir();
    // As Debian 13 keeps it: /var/log/wtmp.db, and /var/lib/wtmpdb/wtmp.db a link to it.
    const host = join(dir.host, "host");
    mkdirSync(join(host, "var/lib/wtmpdb"), { recursive: true });
    mkdirSync(join(host, "var/log"), { recursive: true });
    sqlite3(join(host, "var/log/wtmp.db"), WTMPDB_SCHEMA + CRAFTED.join("\n"));
    symlinkSync("../../log/wtmp.db", join(host, "var/lib/wtmpdb/wtmp.db"));
    const binds: [string, string][] = [[join(host, "var/log"), "/var/log"]];
    for (const args of [[], ["-x", "-S"], ["--time-format", "iso"]]) {
      // wtmpdb last without -f, reading the root's /var/log/wtmp.db, here the test's own (bound over /var/log).
      const theirs = inDebian13With(binds, ["wtmpdb", "last", ...args]);
      assert.equal(theirs.code, 0, theirs.err);
      assert.match(theirs.out, /\nwtmpdb begins /);
      const mine = await ours(["--root", host, "last", ...args]);
      assert.equal(mine.out, theirs.out, `utmp --root DIR last ${args.join(" ")}`);
      // No -f: "last" alone (Debian 13's /usr/bin/last is wtmpdb).
      if (args.length === 0) {
        assert.equal(inDebian13With(binds, ["last"]).out, mine.out);
      }
    }
  },
  NO_SQLITE,
);

test(
  "main() last over a hostile wtmpdb escapes what the terminal would act on, and --json keeps the values",
  async () => {
    using dir = oracleDir();
    const hostile = [
      row(3, "\x1b]0;pwned\x07", us(10), us(20), "pts/0\r", "\x1b[2J", "ssh\u202ed"),
      row(3, "eve\u0085", us(30), null, "tty\x7f", "198.51.100.1\n", "\x9b31m"),
    ];
    sqlite3(join(dir.host, "h.db"), WTMPDB_SCHEMA + hostile.join("\n"));
    for (const args of [[], ["-S", "-w"], ["-a", "-S"]]) {
      const mine = await ours(["last", "-f", join(dir.host, "h.db"), ...args]);
      assert.equal(mine.code, 0);
      const text = utf8(mine.out);
      const unsafe = [...text].filter((c) => (c < " " && c !== "\n") || (c >= "\x7f" && c <= "\x9f") || c === "\u202e");
      assert.deepEqual(unsafe, [], args.join(" "));
      // Cut to its column after escaping (8 bytes of "\x1b]0;pwned\x07"), or whole with -w.
      assert.match(text, args.includes("-w") ? /^\\x1b\]0;pwned\\x07 /m : /^\\x1b\]0;p /m);
      // wtmpdb itself prints them raw: the same lines but for the escapes.
      const theirs = inDebian13(["wtmpdb", "last", "-f", `${dir.inside}/h.db`, ...args]);
      assert.ok(theirs.out.includes(args.includes("-w") ? "\n\x1b]0;pwned\x07 " : "\n\x1b]0;pwne "), theirs.out);
    }
    const json = await ours(["last", "--json", "-S", "-f", join(dir.host, "h.db")]);
    const sessions = JSON.parse(utf8(json.out));
    assert.deepEqual(sessions.map((s: { row: { user: string; service: string } }) => [s.row.user, s.row.service]), [
      ["eve\u0085", "\x9b31m"],
      ["\x1b]0;pwned\x07", "ssh\u202ed"],
    ]);
  },
  NO_SQLITE,
);
