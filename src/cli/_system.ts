/**
 * The live-system checks `who` and `last` make on the machine they run on
 * (for `who` under `--root`, that system's /proc and /dev where they are
 * mounted there: see `Machine`): is a process alive, when did the system
 * boot, who owns a terminal and when was it last used, what is a user's uid. Deno allows /proc and /dev
 * only with --allow-all: without it a check is skipped (reported once
 * through `onDenied`) and its neutral answer used.
 *
 * @module
 */

import { readlinkSync } from "node:fs";
import { uptime } from "node:os";
import process from "node:process";
import { isPermissionDenial } from "../_internal/runtime.ts";
import type { Machine, TtyStat } from "../sources/_proc.ts";
import type { Context } from "./_command.ts";
import type { UtmpRecord } from "../record.ts";
import { Root } from "../sources/_root.ts";

export type { TtyStat };

/** The reader of processes and terminals, once a {@link GuardedMachine} has loaded it. */
let proc: typeof import("../sources/_proc.ts") | undefined;

/**
 * A {@link Machine} guarded for the command line: its live checks, each
 * returning a neutral answer when the runtime does not allow it (said once).
 */
export class GuardedMachine {
  readonly #onDenied: (what: string, flag: string) => void;
  readonly #denied = new Set<string>();
  readonly #root: string | undefined;
  #made: Machine | undefined;
  /** The password file may not be read (a permission denial, said once). */
  #noPasswd = false;
  /** The terminals looked at in this run, by path. */
  readonly #ttys = new Map<string, TtyStat | undefined>();

  /**
   * @param onDenied Called once per kind of check the runtime does not allow, with the Deno flag that allows it
   *   (and once, with flag "", for a root whose /dev holds no terminals).
   * @param root The machine's `/` for the process and terminal checks (`--root`); this machine when undefined.
   */
  constructor(onDenied: (what: string, flag: string) => void, root?: string) {
    this.#onDenied = onDenied;
    this.#root = root;
  }

  /**
   * Loads the reader of processes and terminals (`_proc.ts`): every check
   * but {@link stdinTty} and {@link deny} needs it loaded, and a command
   * that makes none (`who FILE`) never loads it.
   */
  async load(): Promise<void> {
    proc ??= await import("../sources/_proc.ts");
  }

  /** Whether {@link load} has loaded the reader. */
  get loaded(): boolean {
    return proc !== undefined;
  }

  get #machine(): Machine {
    if (proc === undefined) throw new Error("GuardedMachine.load() must be awaited before a check");
    return this.#made ??= new proc.Machine(this.#root);
  }

  /**
   * Whether a record is of a user session whose process is gone (see
   * `isStale`), by {@link pidAlive}.
   *
   * @param u The record.
   * @returns True when it is stale.
   */
  isStale(u: UtmpRecord): boolean {
    if (proc === undefined) throw new Error("GuardedMachine.load() must be awaited before a check");
    return proc.isStale(u, (pid) => this.pidAlive(pid));
  }

  /**
   * Reports, once per kind, a check the runtime does not allow.
   *
   * @param what The kind of check ("processes (/proc)").
   * @param flag The Deno flag that allows it.
   */
  deny(what: string, flag = "--allow-all"): void {
    if (this.#denied.has(what)) return;
    this.#denied.add(what);
    this.#onDenied(what, flag);
  }

  /**
   * Whether a process exists (`kill(pid, 0)` not failing with ESRCH); under
   * a root, by its /proc where one is mounted there.
   *
   * @param pid Process id.
   * @returns False only when the process is known not to exist.
   */
  pidAlive(pid: number): boolean {
    try {
      const alive = this.#machine.pidAlive(pid);
      // Under a root without its /proc: every session is kept, as w keeps them, and said once (w says it too).
      if (alive === undefined && this.#machine.root !== undefined) {
        this.#once(
          `which sessions are live: "${this.#machine.path("/proc")}" holds no proc file system (not mounted there)`,
        );
      }
      return alive ?? true;
    } catch (error) {
      if (!isPermissionDenial(error)) throw error;
      this.deny("processes (/proc)");
      return true;
    }
  }

  /**
   * The boot time, whole seconds since the epoch (now minus the uptime).
   *
   * @returns The boot time, or 0 when the uptime cannot be read.
   */
  bootTime(): number {
    try {
      if (Root.of(this.#root).confines) {
        // That system's uptime, from its /proc: this machine's says nothing of its boots.
        const up = this.#machine.uptime();
        if (up === undefined) this.#once(`its boot time: "${this.#machine.path("/proc")}" holds no uptime`);
        return up === undefined ? 0 : Math.floor(Date.now() / 1000 - up);
      }
      return Math.floor(Date.now() / 1000 - uptime());
    } catch (error) {
      if (isPermissionDenial(error)) this.deny("the uptime", "--allow-sys");
      return 0;
    }
  }

  /**
   * `stat` of a terminal device: this machine's, or under a root the one in
   * its /dev (where it holds no terminals, none, said once).
   *
   * @param path The device path ("/dev/pts/0").
   * @returns Owner, mode and access time, or undefined when it cannot be statted.
   */
  statTty(path: string): TtyStat | undefined {
    // One look per terminal and run: a wtmp names the same few lines a million times over.
    if (this.#ttys.has(path)) return this.#ttys.get(path);
    try {
      if (!this.#machine.hasDev) {
        this.#onceNoDev();
        return undefined;
      }
      const tty = this.#machine.statTty(path);
      if (this.#ttys.size >= 4096) this.#ttys.clear();
      this.#ttys.set(path, tty);
      return tty;
    } catch (error) {
      if (isPermissionDenial(error)) this.deny("terminals (/dev)");
      return undefined;
    }
  }

  #onceNoDev(): void {
    this.#once(`terminals: "${this.#machine.path("/dev")}" holds none (not mounted there)`);
  }

  /** Says once that `what` cannot be checked (not a permission: it is not there). */
  #once(what: string): void {
    if (this.#denied.has(what)) return;
    this.#denied.add(what);
    this.#onDenied(what, "");
  }

  /**
   * `getpwnam(name)->pw_uid` from /etc/passwd.
   *
   * @param name A user name (byte string).
   * @returns The uid, or undefined for an unknown user.
   */
  uidOf(name: string): number | undefined {
    if (this.#noPasswd) return undefined;
    try {
      return this.#machine.uidOf(name);
    } catch (error) {
      if (!isPermissionDenial(error)) throw error;
      this.deny("/etc/passwd", "--allow-read");
      this.#noPasswd = true;
      return undefined;
    }
  }

  /**
   * A process's login uid (/proc/PID/loginuid).
   *
   * @param pid Process id (taken as unsigned, as `%u` prints it).
   * @returns "absent" when the file cannot be accessed, the uid, or NaN when it does not parse.
   */
  loginUid(pid: number): number | "absent" {
    let text: string | undefined;
    try {
      text = this.#machine.loginUid(pid);
    } catch (error) {
      if (isPermissionDenial(error)) this.deny("processes (/proc)");
      return "absent";
    }
    if (text === undefined) return "absent";
    const m = /^\s*\+?(\d+)/.exec(text);
    return m === null ? NaN : Number(m[1]) % 2 ** 32;
  }

  /**
   * The terminal on standard input without "/dev/" (`ttyname(0)`).
   *
   * @returns The terminal, or undefined when standard input is not one.
   */
  stdinTty(): string | undefined {
    try {
      const target = readlinkProcFd0();
      if (target === undefined || !/^\/dev\/(tty|pts\/|console)/.test(target)) return undefined;
      return target.slice(5);
    } catch (error) {
      if (isPermissionDenial(error)) this.deny("the terminal of standard input (/proc)");
      return undefined;
    }
  }
}

/**
 * The live checks of a command, each check the runtime does not allow
 * reported once on standard error.
 *
 * @param ctx The command's context.
 * @param root The machine's `/` for the process and terminal checks (the global `--root`, for `who` and `users`).
 * @param load Load the reader of processes and terminals now (see `GuardedMachine.load`); without, the command
 *   loads it before its first check.
 * @returns The checks.
 */
export async function systemFor(ctx: Context, root?: string, load = true): Promise<GuardedMachine> {
  const system = new GuardedMachine(
    (what, flag) =>
      ctx.io.err(
        flag === ""
          ? `utmp ${ctx.command}: cannot check ${what}; going on without\n`
          : `utmp ${ctx.command}: cannot check ${what}: not allowed (Deno needs ${flag}); going on without\n`,
      ),
    root,
  );
  if (load) await system.load();
  return system;
}

function readlinkProcFd0(): string | undefined {
  if (!process.stdin.isTTY) return undefined;
  return readlinkSync("/proc/self/fd/0");
}
