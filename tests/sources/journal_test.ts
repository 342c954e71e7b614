import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import * as zlib from "node:zlib";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { oracle, ours } from "../cli/_run.ts";
import { history } from "../../mod.ts";
import { chooseSource, journalEntries, type JournalEntry, journalRecords } from "../../src/sources/mod.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import type { UtmpWarning } from "../../src/errors.ts";
import { type ExportEntry, journalRemote, MACHINE_ID, syslogEntry, type Written } from "./_journal.ts";
import { all } from "../_collect.ts";

// lastb prints local times: the same zone and locale as the oracles.
process.env.TZ = "UTC";
process.env.LC_ALL = "C";

const HAS_ZSTD = typeof (zlib as { zstdDecompressSync?: unknown }).zstdDecompressSync === "function";

/** µs from 2023-11-14T22:13:20Z. */
const T0 = 1_700_000_000;
const at = (sec: number, usec = 0): number => (T0 + sec) * 1e6 + usec;

/** journalctl's JSON of an entry as our entries hold it: the fields, and the times from the entry object. */
function asJournalctl(e: JournalEntry): Record<string, unknown> {
  return {
    ...e.fields,
    __REALTIME_TIMESTAMP: String(e.realtime),
    __MONOTONIC_TIMESTAMP: String(e.monotonic),
    __SEQNUM: String(e.seqnum),
  };
}

/** journalctl's JSON without what names its cursor and sequence. */
function theirs(json: Record<string, unknown>[]): Record<string, unknown>[] {
  return json.map(({ __CURSOR: _c, __SEQNUM_ID: _s, ...rest }) => rest);
}

/** Entries with every kind of value: short ones, a long one journald compresses, one with newlines. */
function mixedEntries(): ExportEntry[] {
  const long = Array.from({ length: 60 }, (_, i) => `line ${i} of a long message`).join("\n");
  return [
    syslogEntry(at(0), "sshd-session", 812, "Server listening on 0.0.0.0 port 22."),
    { ...syslogEntry(at(1, 250), "kernel", 0, long), CODE_FILE: "x.c", CODE_LINE: "42" },
    syslogEntry(at(2), "sshd-session", 813, "Failed password for root from 192.0.2.7 port 53412 ssh2"),
    { ...syslogEntry(at(3), "app", 99, "rüdiger – ünïcode"), BIG: "x".repeat(3000) },
  ];
}

for (
  const [name, env] of [
    ["compact, zstd (systemd 257's defaults)", {}],
    ["compact, LZ4", { SYSTEMD_JOURNAL_COMPRESS: "LZ4" }],
    ["regular (not compact), XZ", { SYSTEMD_JOURNAL_COMPACT: "0", SYSTEMD_JOURNAL_COMPRESS: "XZ" }],
    ["regular, uncompressed", { SYSTEMD_JOURNAL_COMPACT: "0", SYSTEMD_JOURNAL_COMPRESS: "0" }],
  ] as const
) {
  test(`journalEntries() reads what journalctl -o json reads in a file systemd-journal-remote wrote: ${name}`, async () => {
    const written = journalRemote({ "system.journal": mixedEntries() }, env);
    using t = tempDir();
    const bytes = written.files["system.journal"]!;
    // The file is what was asked for (header incompatible flags: XZ 1, LZ4 2, zstd 8, compact 16).
    const flags = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    const e = env as Record<string, string>;
    const compression = { XZ: 1, LZ4: 2, "0": 0 }[e.SYSTEMD_JOURNAL_COMPRESS ?? ""] ?? 8;
    assert.equal(flags & 0x0b, compression);
    assert.equal(flags & 16, e.SYSTEMD_JOURNAL_COMPACT === "0" ? 0 : 16);
    const path = t.file("system.journal", bytes);
    const warnings: UtmpWarning[] = [];
    const mine = await all(journalEntries(path, { onWarning: (w) => warnings.push(w) }));
    const expected = theirs(written.json["system.journal"]!);
    assert.equal(expected.length, 4);
    // What this runtime cannot decompress is passed over, with a warning: XZ always, zstd without node:zlib's.
    const lost = (env as Record<string, string>).SYSTEMD_JOURNAL_COMPRESS === "XZ"
      ? "XZ"
      : !HAS_ZSTD && !("SYSTEMD_JOURNAL_COMPRESS" in env)
      ? "zstd"
      : undefined;
    if (lost !== undefined) {
      for (const e of expected) {
        for (const k of ["MESSAGE", "BIG"]) {
          if (typeof e[k] === "string" && (e[k] as string).length >= 512) delete e[k];
        }
      }
      assert.ok(warnings.length > 0 && warnings.every((w) => w.reason.includes(`compressed with ${lost}`)));
    } else assert.deepEqual(warnings, []);
    assert.deepEqual(mine.map(asJournalctl), expected);
    const newest = await all(journalEntries(path, { newestFirst: true }));
    assert.deepEqual(newest.map((e) => e.seqnum), [4, 3, 2, 1]);
  });
}

/** One failed (or other) attempt of the scene: the lines sshd or PAM log, and the btmp record sshd writes. */
interface Attempt {
  lines: ExportEntry[];
  btmp: { ut_user: string; ut_host: string; ut_line: string; ut_pid: number; tv_sec: number; ut_addr?: number[] }[];
}

const PAM_SSHD = (rhost: string, user?: string) =>
  `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${rhost}${
    user === undefined ? "" : `  user=${user}`
  }`;

/** Failed logins as sshd (OpenSSH 10, sshd-session) and PAM log them on Debian 13, with what sshd writes into btmp. */
function scene(): Attempt[] {
  const s = (sec: number, pid: number, message: string, ident = "sshd-session") =>
    syslogEntry(at(sec, 1000 * pid % 1e6), ident, pid, message);
  const long = "a-very-long-user-name-of-forty-chars-xyz";
  return [
    { // A valid user's wrong password: PAM's line and sshd's, one attempt.
      lines: [
        s(0, 1001, PAM_SSHD("192.0.2.7", "alice")),
        s(2, 1001, "Failed password for alice from 192.0.2.7 port 50001 ssh2"),
      ],
      btmp: [{ ut_user: "alice", ut_host: "192.0.2.7", ut_line: "ssh:notty", ut_pid: 1001, tv_sec: T0 + 2 }],
    },
    { // An unknown user: sshd records the name at once, then the password it was sent.
      lines: [
        s(10, 1002, "Invalid user mallory from 198.51.100.9 port 50002"),
        s(11, 1002, "pam_unix(sshd:auth): check pass; user unknown"),
        s(11, 1002, PAM_SSHD("198.51.100.9")),
        s(13, 1002, "Failed password for invalid user mallory from 198.51.100.9 port 50002 ssh2"),
      ],
      btmp: [
        { ut_user: "mallory", ut_host: "198.51.100.9", ut_line: "ssh:notty", ut_pid: 1002, tv_sec: T0 + 10 },
        { ut_user: "mallory", ut_host: "198.51.100.9", ut_line: "ssh:notty", ut_pid: 1002, tv_sec: T0 + 13 },
      ],
    },
    { // Keyboard-interactive over IPv6: PAM's child logs pam_unix, the monitor its PAM error; the second time
      // (failures >= MaxAuthTries / 2) sshd logs its own "Failed" line too, for the same attempt.
      lines: [
        s(20, 1004, PAM_SSHD("2001:db8::5", "bob")),
        s(20, 1003, "error: PAM: Authentication failure for bob from 2001:db8::5"),
        s(25, 1005, PAM_SSHD("2001:db8::5", "bob")),
        s(25, 1003, "error: PAM: Authentication failure for bob from 2001:db8::5"),
        s(25, 1003, "Failed keyboard-interactive/pam for bob from 2001:db8::5 port 50003 ssh2"),
      ],
      btmp: [
        { ut_user: "bob", ut_host: "2001:db8::5", ut_line: "ssh:notty", ut_pid: 1003, tv_sec: T0 + 20 },
        { ut_user: "bob", ut_host: "2001:db8::5", ut_line: "ssh:notty", ut_pid: 1003, tv_sec: T0 + 25 },
      ],
    },
    { // Not failed logins for btmp: a refused key, a success, a closed connection, another program's line.
      lines: [
        s(30, 1006, "Failed publickey for carol from 192.0.2.8 port 50004 ssh2: ED25519 SHA256:abc"),
        s(31, 1006, "Accepted password for carol from 192.0.2.8 port 50004 ssh2"),
        s(32, 1007, "Connection closed by authenticating user root 192.0.2.9 port 50005 [preauth]"),
        s(33, 77, "Failed password for root from 192.0.2.7 port 1 ssh2", "logger"),
      ],
      btmp: [],
    },
    { // A name longer than btmp's 32 bytes, cut as sshd's strncpy cuts it.
      lines: [s(40, 1008, `Failed password for invalid user ${long} from 203.0.113.4 port 50006 ssh2`)],
      btmp: [{
        ut_user: long.slice(0, 32),
        ut_host: "203.0.113.4",
        ut_line: "ssh:notty",
        ut_pid: 1008,
        tv_sec: T0 + 40,
      }],
    },
    { // login(1) on a console: PAM's line is the record (login writes btmp itself, with its tty).
      lines: [
        s(
          50,
          1009,
          "pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=/dev/tty1 ruser= rhost=  user=erin",
          "login",
        ),
      ],
      btmp: [{ ut_user: "erin", ut_host: "", ut_line: "tty1", ut_pid: 1009, tv_sec: T0 + 50 }],
    },
  ];
}

const ADDR: Record<string, number[]> = {
  "192.0.2.7": [192, 0, 2, 7],
  "198.51.100.9": [198, 51, 100, 9],
  "2001:db8::5": [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5],
  "203.0.113.4": [203, 0, 113, 4],
};

let sceneJournal: Written | undefined;
/** The scene's journal, written once by systemd-journal-remote. */
function sceneWritten(): Written {
  return sceneJournal ??= journalRemote({ "system.journal": scene().flatMap((a) => a.lines) });
}

test("journalRecords() gives one record per attempt, as sshd writes btmp, from the journal systemd wrote", async () => {
  const written = sceneWritten();
  using t = tempDir();
  const path = t.file("system.journal", written.files["system.journal"]!);
  // journalctl reads the lines we wrote, in that order.
  assert.deepEqual(
    written.json["system.journal"]!.map((e) => e.MESSAGE),
    scene().flatMap((a) => a.lines.map((l) => l.MESSAGE)),
  );
  const records = await all(journalRecords(path));
  const expected = scene().flatMap((a) => a.btmp);
  assert.deepEqual(
    records.map((u) => ({
      ut_user: u.ut_user,
      ut_host: u.ut_host,
      ut_line: u.ut_line.replace(/^\/dev\//, ""),
      ut_pid: u.ut_pid,
      tv_sec: u.ut_tv.tv_sec,
      ut_addr: u.ut_addr_text === "0.0.0.0" ? undefined : u.ut_addr,
    })),
    expected.map((b) => ({ ...b, ut_addr: ADDR[b.ut_host] })),
  );
  for (const u of records) {
    assert.equal(u.ut_type, "LOGIN_PROCESS");
    assert.equal(u.layout, "journal");
    assert.equal(u.offset, -1);
  }
  const newest = await all(journalRecords(path, { newestFirst: true }));
  assert.deepEqual(newest.map((u) => u.ut_tv.tv_sec), records.map((u) => u.ut_tv.tv_sec).reverse());
  // history() takes the journal as the failed logins' source, by name or by what the path is.
  assert.deepEqual((await all(history({ source: "journal", path }))).length, records.length);
  assert.equal((await chooseSource("failures", { path })).source, "journal");
  assert.equal((await chooseSource("failures", { path: t.dir })).source, "journal");
});

test("lastb over the journal prints what util-linux lastb prints over a btmp holding the same attempts", async () => {
  const written = sceneWritten();
  using t = tempDir();
  // A Debian 13 root: no btmp, the journal in its machine-id directory.
  const dir = join(t.dir, "root/var/log/journal", MACHINE_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "system.journal"), written.files["system.journal"]!);
  // The btmp sshd would have written: the same attempts, through the library's encoder, named as lastb names it.
  const btmp = t.file(
    "journal",
    encodeRecords(
      LAYOUTS.linux,
      scene().flatMap((a) => a.btmp).map((b) => ({
        ut_type: "LOGIN_PROCESS" as const,
        ...b,
        ...(ADDR[b.ut_host] !== undefined ? { ut_addr: ADDR[b.ut_host]! } : {}),
      })),
    ),
  );
  const root = join(t.dir, "root");
  assert.equal((await chooseSource("failures", { root })).source, "journal");
  for (
    const args of [[], ["-F"], ["-i"], ["-w"], ["-a"], ["--time-format", "iso"], ["-n", "3"], ["-R"], ["bob"], [
      "-s",
      "2023-11-14 22:13:25",
    ], ["-t", "2023-11-14 22:13:30", "-x"]]
  ) {
    const util = oracle("lastb", ["-f", btmp, ...args]);
    const mine = await ours(["--root", root, "lastb", ...args]);
    assert.equal(util.code, 0, util.err);
    assert.ok(util.out.includes("ssh:notty"), util.out);
    assert.equal(mine.err, "");
    assert.equal(mine.out, util.out, `lastb ${args.join(" ")}`);
  }
});

test("journalEntries() over a root's /var/log/journal merges its files as journalctl --directory does", async () => {
  const lines = (from: number, ident: string, n: number) =>
    Array.from({ length: n }, (_, i) => syslogEntry(at(from + 2 * i), ident, 500 + i, `${ident} line ${i}`));
  const written = journalRemote({
    "system@0123456789abcdef0123456789abcdef-0000000000000001-0006089a0e3e1234.journal": lines(0, "old", 5),
    "system.journal": lines(11, "sys", 5),
    "user-1000.journal": lines(1, "user", 8),
  });
  using t = tempDir();
  const dir = join(t.dir, "var/log/journal", MACHINE_ID);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(written.files)) writeFileSync(join(dir, name), bytes);
  // Not read: a file that is no journal, and, under a root, a link to a journal outside it.
  writeFileSync(join(dir, "notes.txt"), "x");
  const outside = t.file("outside.journal", written.files["system.journal"]!);
  symlinkSync(outside, join(dir, "linked.journal"));
  const chosen = await chooseSource("failures", { root: t.dir });
  assert.deepEqual([chosen.source, chosen.name, chosen.root.noFollow], ["journal", "/var/log/journal", true]);
  const mine = await all(journalEntries(chosen.path, { noFollow: true }));
  assert.deepEqual(mine.map((e) => e.fields.MESSAGE), written.merged.map((e) => e.MESSAGE));
  const back = await all(journalEntries(chosen.path, { noFollow: true, newestFirst: true }));
  assert.deepEqual(back.map((e) => e.fields.MESSAGE), written.merged.map((e) => e.MESSAGE).reverse());
});
