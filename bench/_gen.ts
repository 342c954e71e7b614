/**
 * The benchmark's wtmp: a seeded, realistic login history written with the
 * project's own encoder (src/layouts/encode.ts) in the glibc x86_64 layout.
 *
 * What a busy server's wtmp holds: ssh logins on pts/N from a few hundred
 * addresses (IPv4 and some IPv6, with `ut_addr_v6` set), their logouts
 * (DEAD_PROCESS with the user and host cleared, as sshd writes them), console
 * logins, and every few thousand records a shutdown, boot, run-level change
 * and getty's LOGIN_PROCESS. Names, lines and hosts repeat as they do in real
 * files; a few are non-ASCII or fill their field, so the slow paths run too.
 *
 * Records are written a block at a time, so a 3.84 GB file needs no more
 * memory than a small one.
 *
 * @module
 */

import { closeSync, openSync, writeSync } from "node:fs";
import { encodeRecords, LAYOUTS, type RecordInput } from "../src/layouts/mod.ts";
import { random } from "../tests/cli/_gen.ts";

const enc = new TextEncoder();

/** 60 user names: mostly short ASCII, one non-ASCII, one that fills the 32-byte field. */
const USERS = [
  ..."root admin deploy backup ubuntu debian git jenkins nagios postgres www-data oracle".split(" "),
  ..."alice bob carol dave erin frank grace heidi ivan judy mallory oscar peggy trent victor".split(" "),
  ..."walter amir bea chen dmitri elif fatima goran hana igor jun kofi lena marta nils".split(" "),
  ..."olga pavel quinn rosa sven tariq ulla vera wen xavier yusuf zoe ops1 ops2 svc-ci".split(" "),
  "jürgen",
  "a.very.long.user.name.of.32.byte",
].map((s) => enc.encode(s));

interface Host {
  name: Uint8Array;
  addr: number[];
}

/** Host text and its address as sshd stores them. */
function hosts(r: () => number): Host[] {
  const out: Host[] = [];
  for (let i = 0; i < 300; i++) {
    const addr = [203, 0, 113 + (i >> 8), i & 255];
    if (i % 3 === 0) addr.splice(0, 3, 198, 51, 100);
    out.push({ name: enc.encode(addr.join(".")), addr });
  }
  for (let i = 0; i < 30; i++) {
    const word = Math.floor(r() * 0xffff);
    const addr = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, word >> 8, word & 255];
    out.push({ name: enc.encode(`2001:db8::${word.toString(16)}`), addr });
  }
  out.push({ name: enc.encode("bastion.example.org"), addr: [192, 0, 2, 10] });
  out.push({ name: enc.encode("höst.example.org"), addr: [192, 0, 2, 11] });
  return out;
}

const KERNEL = enc.encode("6.1.0-18-amd64");
const TILDE = enc.encode("~");

/** An open session: its pts number, line, pid and ut_id. */
interface Open {
  n: number;
  line: Uint8Array;
  id: Uint8Array;
  pid: number;
}

/**
 * Writes `count` records of a login history to `path`.
 *
 * @param path The file to write (replaced).
 * @param count How many records.
 * @param seed PRNG seed: the same seed gives the same file.
 */
export function writeWtmp(path: string, count: number, seed = 7): void {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const HOSTS = hosts(r);
  const fd = openSync(path, "w");
  let block: RecordInput[] = [];
  let written = 0;
  const emit = (input: RecordInput): void => {
    block.push(input);
    written++;
    if (block.length === 8192) flush();
  };
  const flush = (): void => {
    writeSync(fd, encodeRecords(LAYOUTS.linux, block));
    block = [];
  };
  let t = 1420070400; // 2015-01-01
  let pid = 1000;
  const open: Open[] = [];
  const freeLines = Array.from({ length: 40 }, (_, i) => i);
  // About four years of history, whatever the count: every time stays in the past.
  const gap = Math.max(2, Math.floor(2.4e8 / count));
  const tick = (): { tv_sec: number; tv_usec: number } => {
    t += Math.floor(r() * gap);
    return { tv_sec: t, tv_usec: Math.floor(r() * 1e6) };
  };
  const boot = (): void => {
    emit({
      ut_type: "BOOT_TIME",
      ut_line: TILDE,
      ut_id: enc.encode("~~"),
      ut_user: enc.encode("reboot"),
      ut_host: KERNEL,
      ...tick(),
    });
    emit({
      ut_type: "RUN_LVL",
      ut_pid: 0x35,
      ut_line: TILDE,
      ut_id: enc.encode("~~"),
      ut_user: enc.encode("runlevel"),
      ut_host: KERNEL,
      ...tick(),
    });
    emit({
      ut_type: "LOGIN_PROCESS",
      ut_pid: pid++,
      ut_line: enc.encode("tty1"),
      ut_id: enc.encode("tty1"),
      ut_user: enc.encode("LOGIN"),
      ...tick(),
    });
  };
  boot();
  while (written < count) {
    const x = r();
    if (x < 0.0005) {
      // Shutdown: sessions end with the system.
      emit({
        ut_type: "RUN_LVL",
        ut_pid: 0x30,
        ut_line: TILDE,
        ut_id: enc.encode("~~"),
        ut_user: enc.encode("shutdown"),
        ut_host: KERNEL,
        ...tick(),
      });
      for (const s of open.splice(0)) freeLines.push(s.n);
      boot();
    } else if (open.length > 0 && (x < 0.5 || freeLines.length === 0)) {
      const s = open.splice(Math.floor(r() * open.length), 1)[0]!;
      freeLines.push(s.n);
      emit({ ut_type: "DEAD_PROCESS", ut_pid: s.pid, ut_line: s.line, ut_id: s.id, ...tick() });
    } else {
      const n = freeLines.splice(Math.floor(r() * freeLines.length), 1)[0]!;
      const line = enc.encode(`pts/${n}`);
      const id = line.subarray(-4); // sshd: the line's last four bytes
      const host = pick(HOSTS);
      const s = { n, line, id, pid: pid++ };
      open.push(s);
      emit({
        ut_type: "USER_PROCESS",
        ut_pid: s.pid,
        ut_line: line,
        ut_id: id,
        ut_user: pick(USERS),
        ut_host: host.name,
        ut_addr: host.addr,
        ut_session: s.pid,
        ...tick(),
      });
    }
    if (pid > 4000000) pid = 1000;
  }
  block.length -= written - count;
  flush();
  closeSync(fd);
}
