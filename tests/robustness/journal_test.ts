/**
 * Hostile journal files: a real one (written by systemd-journal-remote)
 * with its offsets, sizes and chains turned against the reader, and random
 * mutations of it. Every read ends, reads at most what the README's rule
 * allows (32 times the file, plus its 1 MiB of pages), and what reaches a
 * terminal is escaped.
 */

import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { ours } from "../cli/_run.ts";
import { readProbe } from "../../src/backends/_byte_source.ts";
import { journalEntries, type JournalEntry, journalRecords } from "../../src/sources/mod.ts";
import type { UtmpRecord } from "../../src/record.ts";
import type { UtmpWarning } from "../../src/errors.ts";
import { journalRemote, MACHINE_ID, syslogEntry, type Written } from "../sources/_journal.ts";
import { all } from "../_collect.ts";

process.env.TZ = "UTC";
process.env.LC_ALL = "C";

const T0 = 1_700_000_000;
const HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202e\u0085x";

let written: Written | undefined;
/** A journal of 40 failed logins (one with a hostile name), in the regular and compact formats. */
function journals(): Written {
  return written ??= (() => {
    const lines = Array.from(
      { length: 40 },
      (_, i) =>
        syslogEntry(
          (T0 + i) * 1e6,
          "sshd-session",
          2000 + i,
          `Failed password for ${i === 7 ? HOSTILE : `user${i}`} from 192.0.2.${i} port ${40000 + i} ssh2`,
        ),
    );
    const elsewhere = [
      syslogEntry(T0 * 1e6, "sshd-session", 9, "Failed password for outsider from 192.0.2.99 port 1 ssh2"),
    ];
    const compact = journalRemote({ "compact.journal": lines, "elsewhere.journal": elsewhere });
    const regular = journalRemote({ "regular.journal": lines }, { SYSTEMD_JOURNAL_COMPACT: "0" });
    return { files: { ...compact.files, ...regular.files }, json: { ...compact.json, ...regular.json }, merged: [] };
  })();
}

/** Reads a file with every read counted: entries, warnings, bytes read. */
interface Counted {
  entries: JournalEntry[];
  records: UtmpRecord[];
  warnings: UtmpWarning[];
  bytes: number;
}

async function readCounted(path: string, newestFirst = false): Promise<Counted> {
  let bytes = 0;
  const before = readProbe.onRead;
  readProbe.onRead = (_p, _l, n) => void (bytes += n);
  const warnings: UtmpWarning[] = [];
  try {
    const entries = await all(journalEntries(path, { newestFirst, onWarning: (w) => warnings.push(w) }));
    const records = await all(journalRecords(path, { newestFirst }));
    return { entries, records, warnings, bytes };
  } finally {
    readProbe.onRead = before;
  }
}

const u64 = (b: Uint8Array, at: number): number => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true));
const setU64 = (b: Uint8Array, at: number, v: number | bigint): void =>
  new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt(v), true);

/** The bound of the README: 32 times the file, its pages, and the two passes (entries and records) of the test. */
const bound = (size: number): number => 2 * (32 * size + (1 << 20) + 4096);

for (const name of ["compact.journal", "regular.journal"]) {
  test(`journalEntries() ends within bounds over hostile offsets, sizes and chains: ${name}`, async () => {
    using t = tempDir();
    const real = journals().files[name]!;
    const path = t.file(name, real);
    const clean = await readCounted(path);
    assert.equal(clean.entries.length, 40);
    assert.equal(clean.records.length, 40);
    assert.deepEqual(clean.warnings, []);
    const compact = name.startsWith("compact");
    const arrayAt = u64(real, 176);
    const cases: [string, (b: Uint8Array) => void, (r: Counted) => void][] = [
      ["the entry array chain loops to itself", (b) => setU64(b, arrayAt + 16, arrayAt), (r) => {
        // The entries of the arrays before the loop (the first holds 4), each once.
        assert.ok(r.entries.length > 0 && r.entries.length < 40, `${r.entries.length}`);
        assert.equal(new Set(r.entries.map((e) => e.offset)).size, r.entries.length);
        assert.ok(r.warnings.some((w) => w.reason.includes("goes back")));
      }],
      ["the first entry array is beyond the file", (b) => setU64(b, 176, 1n << 52n), (r) => {
        assert.equal(r.entries.length, 0);
        assert.ok(r.warnings.length > 0);
      }],
      ["an entry array claims 2^50 bytes", (b) => setU64(b, arrayAt + 8, 1n << 50n), (r) => {
        assert.equal(r.entries.length, 0);
        assert.ok(r.warnings.some((w) => w.reason.includes("size")));
      }],
      ["every entry claims 2^62 bytes", (b) => {
        for (const e of clean.entries) setU64(b, e.offset + 8, 1n << 62n);
      }, (r) => {
        assert.equal(r.entries.length, 0);
        assert.ok(r.warnings.length >= 40);
      }],
      ["every item of every entry points beyond the file", (b) => {
        for (const e of clean.entries) {
          const n = (u64(b, e.offset + 8) - 64) / (compact ? 4 : 16);
          for (let i = 0; i < n; i++) {
            const at = e.offset + 64 + i * (compact ? 4 : 16);
            if (compact) new DataView(b.buffer, b.byteOffset).setUint32(at, 0xfffffff8, true);
            else setU64(b, at, (1n << 40n) + 8n);
          }
        }
      }, (r) => {
        assert.equal(r.entries.length, 40);
        assert.ok(r.entries.every((e) => Object.keys(e.fields).length === 0));
      }],
      ["the header's arena and size say more than the file holds", (b) => {
        setU64(b, 96, 1n << 52n);
      }, (r) => assert.equal(r.entries.length, 40)],
    ];
    for (const [what, mutate, check] of cases) {
      const b = real.slice();
      mutate(b);
      writeFileSync(path, b);
      for (const newest of [false, true]) {
        const r = await readCounted(path, newest);
        assert.ok(r.bytes <= bound(b.length), `${what}: read ${r.bytes} bytes of a ${b.length}-byte file`);
        check(r);
      }
    }
    // Cut short: the entries whole before the cut, nothing read beyond the end.
    const cut = real.slice(0, clean.entries[20]!.offset + 8);
    writeFileSync(path, cut);
    const r = await readCounted(path);
    assert.ok(r.entries.length <= 20 && r.bytes <= bound(cut.length));
  });

  test(`journalEntries() ends within bounds over random mutations of a real journal: ${name}`, async () => {
    using t = tempDir();
    const real = journals().files[name]!;
    const used = u64(real, 136) + 64; // up to the tail object
    const path = t.file(name, real);
    let seed = 0x2545f491;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let run = 0; run < 60; run++) {
      const b = real.slice();
      for (let k = 0; k < 1 + Math.floor(random() * 16); k++) {
        const at = Math.floor(random() * used) & ~7;
        // An offset-sized word: small, huge, pointing back, or random bytes.
        const choice = Math.floor(random() * 4);
        if (choice === 0) setU64(b, at, Math.floor(random() * used));
        else if (choice === 1) setU64(b, at, 1n << BigInt(30 + Math.floor(random() * 33)));
        else if (choice === 2) setU64(b, at, at);
        else b[at + Math.floor(random() * 8)] = Math.floor(random() * 256);
      }
      writeFileSync(path, b);
      const r = await readCounted(path, random() < 0.5);
      assert.ok(r.bytes <= bound(b.length), `run ${run}: read ${r.bytes} bytes of a ${b.length}-byte file`);
      assert.ok(r.entries.length <= 40 * 2, `run ${run}`);
    }
  });
}

test("lastb over a journal escapes what a terminal acts on in a name, and opens no link under the root", async () => {
  using t = tempDir();
  const root = join(t.dir, "root");
  const dir = join(root, "var/log/journal", MACHINE_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "system.journal"), journals().files["compact.journal"]!);
  // A link to a journal outside the root, as a file and as a machine-id directory: never read.
  const outside = join(t.dir, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "system.journal"), journals().files["elsewhere.journal"]!);
  symlinkSync(join(outside, "system.journal"), join(dir, "linked.journal"));
  symlinkSync(outside, join(root, "var/log/journal", "00000000000000000000000000000001"));
  const ran = await ours(["--root", root, "lastb"]);
  assert.equal(ran.code, 0, ran.err);
  const lines = ran.out.split("\n");
  assert.equal(lines.filter((l) => l.includes("ssh:notty")).length, 40);
  assert.ok(!ran.out.includes("outsider"));
  // Without the root (no confinement), the same links are followed: the outsider is there.
  const free = await ours(["lastb", "-f", join(root, "var/log/journal")]);
  assert.ok(free.out.includes("outsider"), free.out);
  // No control byte, C1 or bidi character reaches the terminal: the name shows escaped.
  const text = new TextDecoder().decode(Uint8Array.from(ran.out, (c) => c.charCodeAt(0)));
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e]/.test(text), JSON.stringify(text));
  assert.ok(text.includes("\\x1b]0;p "), text);
});
