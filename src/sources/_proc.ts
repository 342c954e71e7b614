/**
 * The live system behind the login records, read the way procps and
 * coreutils read it: processes (/proc), terminals (/dev), the uptime and
 * the load averages, the password file — on this machine, or under a `root`
 * (a host's `/` mounted in a container), where /proc and /dev are read only
 * when they are mounted there. Runtime-neutral through `node:fs`.
 *
 * Nothing here catches a runtime's permission denial (Deno reads /proc and
 * most of /dev only with `--allow-all`): callers decide whether to pass it
 * on (the library) or report it once and go on (the command line).
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import process from "node:process";
import { byteString } from "../_internal/bytes.ts";
import { uidsByName } from "../_internal/passwd.ts";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { Root } from "./_root.ts";
import type { UtmpRecord } from "../record.ts";

/** A terminal's owner, mode, device number and last access, as `stat` reports them. */
export interface TtyStat {
  /** Owner uid. */
  uid: number;
  /** Mode bits (file type included). */
  mode: number;
  /** Last access, whole seconds since the epoch (`st_atime`). */
  atime: number;
  /** The device number (`st_rdev`). */
  rdev: number;
}

/** What `w` takes from `/proc/PID/stat` (procps `stat2proc`). */
export interface ProcessStat {
  /** Process id (the directory's name: a thread group id). */
  pid: number;
  /** State letter ("R", "S", "Z", ...). */
  state: string;
  /** The command name between the parentheses, as a byte string. */
  comm: string;
  /** Parent process id. */
  ppid: number;
  /** Process group. */
  pgrp: number;
  /** Controlling terminal's device number (`tty_nr`), 0 for none. */
  tty: number;
  /** Foreground process group of that terminal (`tpgid`), -1 for none. */
  tpgid: number;
  /** User and system time, in clock ticks (`utime + stime`). */
  ticks: number;
  /** Start time after boot, in clock ticks (`starttime`). */
  start: number;
}

/** The file types of `st_mode`. */
const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** `AT_CLKTCK` in the auxiliary vector: the kernel's clock ticks per second. */
const AT_CLKTCK = 17;

/** The error code of a failed file operation. */
const codeOf = (error: unknown): string | undefined => (error as { code?: string } | null)?.code;

/**
 * The most read of each /proc file, as the kernel writes them: `stat` a line
 * of under 1 KiB (its command name at most 64 bytes), `status` a few KiB
 * (its Groups line grows with the supplementary groups), `uptime` and
 * `loadavg` a few bytes. A larger file (only a fake /proc under a root holds
 * one) is "no such process".
 */
const PROC_LIMITS = { stat: 4096, status: 64 * 1024, small: 4096 } as const;

/** Bytes of /proc/PID/cmdline kept, as procps `w` keeps them (`read_unvectored` into a 128 KiB buffer). */
const CMDLINE_KEPT = 128 * 1024;

/** Bytes of command lines one {@link Machine} keeps, to read each process's once: beyond, they are read again. */
const CMDLINES_KEPT = 16 << 20;

/**
 * One machine's live state: this one, or the one whose `/` is at `root`.
 * Under a root, /proc and /dev are those mounted at `<root>/proc` and
 * `<root>/dev`; where one is not mounted there its answers are "unknown"
 * (undefined), never this machine's.
 */
export class Machine {
  /** The directory the machine's `/` is at, or undefined for this machine. */
  readonly root: string | undefined;
  /** Its opens: every file of it is read through them. */
  readonly #opens: Root;
  #procThere: boolean | undefined;
  #devThere: boolean | undefined;
  #uids: Map<string, number> | undefined;
  /** Each process's arguments, as {@link cmdline} read them, and their bytes in all. */
  readonly #cmdlines = new Map<number, string>();
  #cmdlineBytes = 0;
  /** Each process's uids, as {@link uids} read them. */
  readonly #processUids = new Map<number, { ruid: number; euid: number } | undefined>();
  #hertz: number | undefined;

  /** @param root The machine's `/` (or its {@link Root}); undefined, "" or "/" for this machine. */
  constructor(root?: string | Root) {
    this.#opens = root instanceof Root ? root : Root.of(root);
    this.root = this.#opens.dir;
  }

  /**
   * A system path on this machine.
   *
   * @param path An absolute path ("/proc/1/stat").
   * @returns The path to open.
   */
  path(path: string): string {
    // Resolved inside the root as every other system path is (rootPath): a link in the tree never leads out of it.
    return this.#opens.pathSync(path);
  }

  /**
   * Whether the processes can be read: /proc here, or a proc file system at
   * `<root>/proc` (one holding `uptime`).
   */
  get hasProc(): boolean {
    this.#procThere ??= kindOf(this.path("/proc/uptime")) === S_IFREG;
    return this.#procThere;
  }

  /**
   * Whether the terminals can be looked at: always here, and under a root
   * where `<root>/dev` holds the terminals (a `pts` directory, or `null` as a
   * character device).
   */
  get hasDev(): boolean {
    if (this.root === undefined) return true;
    this.#devThere ??= kindOf(this.path("/dev/pts")) === S_IFDIR || kindOf(this.path("/dev/null")) === S_IFCHR;
    return this.#devThere;
  }

  /**
   * Whether a process exists, as coreutils asks it (`kill(pid, 0)` failing
   * with ESRCH means gone): /proc/PID, else (no /proc, as on macOS) signal 0.
   * Under a root only its /proc can tell.
   *
   * @param pid A process id (> 0).
   * @returns False when it is known to be gone, undefined when it cannot be known.
   */
  pidAlive(pid: number): boolean | undefined {
    if (this.root !== undefined) return this.hasProc ? existsSync(this.path(`/proc/${pid}`)) : undefined;
    try {
      statSync(`/proc/${pid}`);
      return true;
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
    }
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return codeOf(error) !== "ESRCH";
    }
  }

  /**
   * The time since boot, from /proc/uptime (procps `procps_uptime`).
   *
   * @returns Seconds, or undefined when /proc cannot be read.
   */
  uptime(): number | undefined {
    const text = this.#proc("/proc/uptime");
    const n = text === undefined ? NaN : Number.parseFloat(text);
    return Number.isFinite(n) ? n : undefined;
  }

  /**
   * The load averages over 1, 5 and 15 minutes, from /proc/loadavg.
   *
   * @returns The three averages, or undefined when /proc cannot be read.
   */
  loadAverage(): [number, number, number] | undefined {
    const text = this.#proc("/proc/loadavg");
    const n = (text ?? "").trim().split(/\s+/).slice(0, 3).map(Number);
    return n.length === 3 && n.every(Number.isFinite) ? [n[0]!, n[1]!, n[2]!] : undefined;
  }

  /**
   * Clock ticks per second (`sysconf(_SC_CLK_TCK)`): the kernel's
   * `AT_CLKTCK` from this process's auxiliary vector (the kernel is the
   * same under a root), 100 where it cannot be read.
   *
   * @returns Ticks per second.
   */
  hertz(): number {
    if (this.#hertz === undefined) {
      this.#hertz = 100;
      try {
        const auxv = readFileSync("/proc/self/auxv");
        const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
        for (let at = 0; at + 16 <= auxv.length; at += 16) {
          const type = Number(view.getBigUint64(at, true));
          if (type === 0) break;
          if (type === AT_CLKTCK) this.#hertz = Number(view.getBigUint64(at + 8, true)) || 100;
        }
      } catch (error) {
        if (isPermissionDenial(error)) throw error;
      }
    }
    return this.#hertz;
  }

  /**
   * Every process (thread group), in pid order as procps reads /proc.
   *
   * @returns The processes, or undefined when /proc cannot be read.
   */
  processes(): ProcessStat[] | undefined {
    if (!this.hasProc) return undefined;
    let names: string[];
    try {
      names = readdirSync(this.path("/proc"));
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return undefined;
    }
    const pids = names.filter((n) => /^[1-9]\d*$/.test(n)).map(Number).sort((a, b) => a - b);
    const list: ProcessStat[] = [];
    for (const pid of pids) {
      const stat = this.#read(`/proc/${pid}/stat`, PROC_LIMITS.stat);
      const p = stat === undefined ? undefined : parseStat(pid, stat);
      if (p !== undefined) list.push(p);
    }
    return list;
  }

  /**
   * A process's real and effective uids (the `Uid:` line of /proc/PID/status).
   *
   * @param pid Process id.
   * @returns The uids, or undefined when the process is gone.
   */
  uids(pid: number): { ruid: number; euid: number } | undefined {
    // Read once per process however many sessions ask (each session's terminal is looked for among them all).
    if (this.#processUids.has(pid)) return this.#processUids.get(pid);
    const text = this.#read(`/proc/${pid}/status`, PROC_LIMITS.status);
    const m = text === undefined ? null : /^Uid:\s*(\d+)\s+(\d+)/m.exec(text);
    const ids = m === null ? undefined : { ruid: Number(m[1]), euid: Number(m[2]) };
    this.#processUids.set(pid, ids);
    return ids;
  }

  /**
   * A process's arguments as procps joins them (`read_unvectored`): the
   * trailing NULs dropped, every other NUL and newline a space, a space at
   * the very end dropped; at most 128 KiB.
   *
   * @param pid Process id.
   * @returns The arguments as a byte string ("" for a kernel thread or a zombie).
   */
  cmdline(pid: number): string {
    // Read once per process (each session's search may ask again), within CMDLINES_KEPT bytes in all.
    const known = this.#cmdlines.get(pid);
    if (known !== undefined) return known;
    const text = this.#readCmdline(pid);
    if (this.#cmdlineBytes + text.length <= CMDLINES_KEPT) {
      this.#cmdlines.set(pid, text);
      this.#cmdlineBytes += text.length;
    }
    return text;
  }

  #readCmdline(pid: number): string {
    const bytes = this.#readBytes(`/proc/${pid}/cmdline`, CMDLINE_KEPT, true);
    if (bytes === undefined || bytes.length === 0) return "";
    const n = Math.min(bytes.length, CMDLINE_KEPT - 1);
    const dst = bytes.subarray(0, n);
    let i = n;
    while (i > 0 && dst[i - 1] === 0) i--;
    for (let k = 0; k < i; k++) if (dst[k] === 0 || dst[k] === 0x0a) dst[k] = 0x20;
    if (dst[n - 1] === 0x20) dst[n - 1] = 0;
    const s = byteString(dst);
    const nul = s.indexOf("\0");
    return nul === -1 ? s : s.slice(0, nul);
  }

  /**
   * `stat` of a terminal (or any device path) on this machine.
   *
   * @param path The system path ("/dev/pts/0").
   * @returns Owner, mode, device and access time, or undefined when it cannot be statted (or /dev is not there).
   */
  statTty(path: string): TtyStat | undefined {
    if (!this.hasDev) return undefined;
    try {
      const s = statSync(this.path(path));
      return { uid: s.uid, mode: s.mode, atime: Math.floor(s.atimeMs / 1000), rdev: s.rdev };
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return undefined;
    }
  }

  /**
   * procps `get_tty_device`: the device number of a utmp line, trying
   * `/dev/LINE`, `/dev/ttyLINE` and `/dev/pts/LINE` (each cut to 31 bytes).
   *
   * @param line The cleaned line ("pts/0").
   * @returns The device number, or -1 when none of them can be statted.
   */
  ttyDevice(line: string): number {
    if (line.startsWith("/")) return this.statTty(line)?.rdev ?? -1;
    for (const form of ["/dev/", "/dev/tty", "/dev/pts/"]) {
      const s = this.statTty((form + line).slice(0, 31));
      if (s !== undefined) return s.rdev;
    }
    return -1;
  }

  /**
   * `getpwnam(name)->pw_uid`, from this machine's /etc/passwd.
   *
   * @param name A user name (byte string).
   * @returns The uid, or undefined for a user the file does not name.
   */
  uidOf(name: string): number | undefined {
    this.#uids ??= uidsByName(byteString(this.#opens.passwdSync()));
    return this.#uids.get(name);
  }

  /**
   * A process's login uid, as procps and `who` read /proc/PID/loginuid.
   *
   * @param pid Process id (taken as unsigned, as `%u` prints it).
   * @returns The file's text, or undefined when it cannot be read (or /proc is not there under a root).
   */
  loginUid(pid: number): string | undefined {
    if (this.root !== undefined && !this.hasProc) return undefined;
    return this.#read(`/proc/${pid >>> 0}/loginuid`, 64);
  }

  /** A /proc file's text, or undefined when /proc is not there. */
  #proc(path: string): string | undefined {
    return this.hasProc ? this.#read(path, PROC_LIMITS.small) : undefined;
  }

  /** A file's content as a byte string, or undefined when it cannot be read (a permission denial is thrown). */
  #read(path: string, maxBytes?: number): string | undefined {
    const bytes = this.#readBytes(path, maxBytes);
    return bytes === undefined ? undefined : byteString(bytes);
  }

  /**
   * A file's bytes, within `maxBytes` (a larger file is none, or with `head`
   * its first `maxBytes`); undefined when it cannot be read.
   */
  #readBytes(path: string, maxBytes?: number, head = false): Uint8Array | undefined {
    try {
      // Under a root, a file of its tree, never through a link at its last component (the Root's opens): a FIFO
      // there is refused at once, a file larger than the kernel writes (a sparse one of gigabytes) is not read.
      return this.#opens.readSync(this.path(path), maxBytes === undefined ? {} : { maxBytes, head });
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return undefined;
    }
  }
}

/**
 * procps `stat2proc`: the fields after the command name, which is found
 * between the first "(" and the last ")" (a name may hold both).
 *
 * @param pid The process id.
 * @param text /proc/PID/stat.
 * @returns The fields, or undefined when the text is cut short.
 */
function parseStat(pid: number, text: string): ProcessStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open === -1 || close < open || close + 1 >= text.length) return undefined;
  const f = text.slice(close + 2).split(" ");
  const int = (i: number): number => {
    const n = Number.parseInt(f[i] ?? "", 10);
    return Number.isFinite(n) ? n : 0;
  };
  return {
    pid,
    state: f[0] ?? "",
    comm: text.slice(open + 1, close),
    ppid: int(1),
    pgrp: int(2),
    tty: int(4),
    tpgid: int(5),
    ticks: int(11) + int(12),
    start: int(19),
  };
}

/** The kind of file at a path (its `S_IFMT` bits), or 0 when there is none (or it cannot be looked at). */
function kindOf(path: string): number {
  try {
    return statSync(path).mode & S_IFMT;
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return 0;
  }
}

/**
 * Whether a record is a user session whose process is known to be gone:
 * coreutils' READ_UTMP_CHECK_PIDS (a USER_PROCESS with a name and a pid
 * `kill(pid, 0)` says ESRCH to). What `who` and `users` leave out of the
 * system's own utmp.
 *
 * @param u A record.
 * @param alive Whether a pid is alive: false when gone, undefined when it cannot be known.
 * @returns True to leave the record out.
 */
export function isStale(u: UtmpRecord, alive: (pid: number) => boolean | undefined): boolean {
  return u.ut_type === "USER_PROCESS" && u.ut_user !== "" && u.ut_pid > 0 && alive(u.ut_pid) === false;
}

/** What {@link foregroundCommand} found for a session. */
export interface SessionProcesses {
  /** Whether the session's own process (its `ut_pid`) exists. */
  found: boolean;
  /** CPU time of every process on the session's terminal, in clock ticks (w's JCPU). */
  jcpu: number;
  /** CPU time of the process shown, in clock ticks (w's PCPU). */
  pcpu: number;
  /** The process shown (w's WHAT), or undefined for none ("-"). */
  what: ProcessStat | undefined;
  /** Its arguments ({@link Machine.cmdline}), "" for none. */
  cmdline: string;
}

/**
 * procps `w`'s `find_best_proc`: the session's process, the CPU time of
 * every process on its terminal (JCPU), and the process to show (WHAT, with
 * its PCPU): the latest started process that leads the terminal's
 * foreground process group and belongs to the user (by real or effective
 * uid); the session's process while no such one is found, or else the
 * latest started process on the terminal.
 *
 * @param processes Every process, in pid order ({@link Machine.processes}).
 * @param pid The session's process id (`ut_pid`).
 * @param tty The terminal's device number, -1 for none.
 * @param uid The user's uid, or undefined to take a process of any user (`w -u`).
 * @param machine Where to read a process's uids and arguments.
 * @returns What was found.
 */
export function foregroundCommand(
  processes: readonly ProcessStat[],
  pid: number,
  tty: number,
  uid: number | undefined,
  machine: Machine,
): SessionProcesses {
  let found = false;
  let jcpu = 0;
  let pcpu = 0;
  let best = 0;
  let secondBest = 0;
  let what: ProcessStat | undefined;
  let args: string | undefined; // what's arguments, read once when first asked for
  const show = (p: ProcessStat): void => {
    what = p;
    args = undefined;
    pcpu = p.ticks;
  };
  const cmdline = (): string => what === undefined ? "" : args ??= machine.cmdline(what.pid);
  for (const p of processes) {
    if (p.pid === pid) {
      found = true;
      if (best === 0) {
        best = p.start;
        show(p);
      }
    }
    if (p.tty !== tty) continue;
    jcpu += p.ticks;
    if (!(secondBest !== 0 && p.start <= secondBest)) {
      secondBest = p.start;
      if (what === undefined || cmdline() === "-") show(p);
    }
    if (p.pgrp !== p.tpgid || p.start <= best) continue;
    if (uid !== undefined) {
      const ids = machine.uids(p.pid);
      if (ids === undefined || (ids.euid !== uid && ids.ruid !== uid)) continue;
    }
    best = p.start;
    show(p);
  }
  return { found, jcpu, pcpu, what, cmdline: cmdline() };
}
