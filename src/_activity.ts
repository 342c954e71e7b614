/**
 * What `w` reads of each session, shared by `loggedIn()` and `utmp w`: the
 * candidate sessions of the source, their terminals and processes, and the
 * figures of `w`'s first line.
 *
 * @module
 */

import { storedString, utf8String } from "./_internal/bytes.ts";
import type { LayoutName } from "./layouts/registry.ts";
import type { UtmpRecord } from "./record.ts";
import { chooseSource, type SourceNames } from "./sources/choose.ts";
import { type SessionsOptions, type SessionTools, sessionTools } from "./sources/sessions.ts";
import { type Candidate, factsOf, readerOf } from "./sources/_readers.ts";
import { foregroundCommand, Machine, type ProcessStat, type SessionProcesses } from "./sources/_proc.ts";
import { quotePath } from "./_internal/escape/terminal.ts";
import { UtmpFileError } from "./errors.ts";

/** What `w` knows of one session, before it is shown or made a `LoggedInUser`. */
export interface Activity {
  /** The session's record. */
  record: UtmpRecord;
  /** The source it was read from. */
  source: SourceNames["sessions"];
  /** Whose `w` it is shown as (see `sessionTools`). */
  tools: SessionTools;
  /**
   * The terminal `w` shows, a byte string: the line as `w` cleans it (up to
   * the first byte that is not a letter, a digit or "/"); for a logind
   * session its TTY so cleaned, else the terminal of the leader's child or
   * grandchild (procps 4.0.4), "" when none.
   */
  tty: string;
  /** logind's REMOTE_HOST (what procps 4.0.4 shows as FROM), undefined for a utmp record. */
  remoteHost: string | undefined;
  /** Whether the stored line starts with ":" (an X display: `w` shows "?xdm?"). */
  display: boolean;
  /** Now less the terminal's access time, in seconds; null when it cannot be statted. */
  idle: number | null;
  /** The session's processes, or null when /proc cannot be read. */
  processes: SessionProcesses | null;
}

/** Everything `w` prints, read once. */
export interface ActivityReport {
  /** The live sessions, in the source's order. */
  sessions: Activity[];
  /** See `LoggedInUsers.userCount`. */
  userCount: number;
  /** See `LoggedInUsers.uptime`. */
  uptime: number | null;
  /** See `LoggedInUsers.loadAverage`. */
  loadAverage: [number, number, number] | null;
  /** Clock ticks per second. */
  hertz: number;
  /** When it was read, whole seconds since the epoch. */
  now: number;
  /** See `LoggedInUsers.notes`. */
  notes: string[];
  /** The machine read. */
  machine: Machine;
  /** Whose `w` the report is shown as (see `sessionTools`). */
  tools: SessionTools;
}

/** Options of {@link readActivity}: those of `loggedIn()` (`LoggedInOptions`), and how `w` itself differs. */
export interface ActivityOptions extends SessionsOptions {
  /** Only this user's sessions (`w USER`). */
  user?: string | undefined;
  /** Choose what a session runs among every user's processes on its terminal (`w -u`). */
  anyUser?: boolean | undefined;
  /** The layout of a utmp file ("auto" by default). */
  layout?: "auto" | LayoutName;
  /**
   * Leave out, as `w` does, a session whose user has no uid (not in the
   * password file, or a logind session without UID), unless `anyUser`.
   * Without it such a session is kept, its command chosen as with `anyUser`.
   */
  passwdOnly?: boolean;
}

/**
 * `w`'s note for a system that keeps no sessions, from the paths the chooser
 * looked at: the utmp, then logind's session directory.
 */
export function nobodyNote(lookedAt: readonly string[]): string {
  const [utmp = "", logind = ""] = lookedAt;
  return `no utmp at ${quotePath(utmp)} and no systemd-logind sessions at ${quotePath(logind)}: no sessions to show`;
}

/**
 * The sessions `w` looks at, with the user count of `w`'s first line.
 *
 * @param options Source, path, root, user, layout.
 * @returns The USER_PROCESS records with a user name (of that user), their uids where known, and the count.
 */
async function candidates(
  options: ActivityOptions,
): Promise<{ source: SourceNames["sessions"]; list: Candidate[]; userCount: number; note?: string }> {
  let chosen;
  try {
    chosen = await chooseSource("sessions", options);
  } catch (error) {
    // A system that keeps neither a utmp nor logind's sessions (a bare container): nobody to show, as w shows
    // nobody there. A path or source asked for that is not there stays an error.
    const asked = options.path !== undefined || (options.source ?? "auto") !== "auto";
    if (asked || !(error instanceof UtmpFileError) || error.code !== "ENOENT") throw error;
    return { source: "utmp", list: [], userCount: 0, note: nobodyNote(error.lookedAt) };
  }
  const list: Candidate[] = [];
  let userCount = 0;
  const read = { root: options.root, layout: options.layout ?? "auto" };
  for await (const candidate of (await readerOf(chosen)).candidates!(chosen, read)) {
    userCount++;
    if (options.user === undefined || candidate.of(options.user)) list.push(candidate);
  }
  const { source } = chosen;
  return { source, list, userCount };
}

/**
 * procps `w`'s clean-up of a line: up to the first byte that is not an
 * ASCII letter or digit or "/".
 */
function cleanLine(stored: string): string {
  const m = /^[A-Za-z0-9/]*/.exec(stored.slice(0, 32));
  return m![0];
}

/**
 * Reads what `w` shows: the live sessions with their terminals and
 * processes, and the figures of its first line. Shared by `loggedIn()`
 * and `utmp w`.
 *
 * @param options See {@link ActivityOptions}.
 * @returns The report.
 * @throws {UtmpFileError} When the source cannot be read.
 */
export async function readActivity(options: ActivityOptions = {}): Promise<ActivityReport> {
  const machine = new Machine(options.root);
  const { source, list, userCount, note } = await candidates(options);
  const notes: string[] = note === undefined ? [] : [note];
  const processes = machine.processes();
  if (processes === undefined) {
    notes.push(
      machine.root === undefined
        ? "no /proc on this system: sessions are not checked for being live, and command, jcpu, pcpu and the uptime are unknown"
        : `no proc file system at ${
          quotePath(machine.path("/proc"))
        } (not mounted there): sessions are not checked for being live, and command, jcpu, pcpu and the uptime are unknown`,
    );
  }
  if (!machine.hasDev) {
    notes.push(`no terminals at ${quotePath(machine.path("/dev"))} (not mounted there): idle and jcpu are unknown`);
  }
  const now = Math.floor(Date.now() / 1000);
  const sessions: Activity[] = [];
  const tools = sessionTools(source);
  for (const { record, uid: given, logind } of list) {
    const stored = storedString(record, "ut_line");
    const tty = logind === undefined
      ? cleanLine(stored)
      : cleanLine(utf8String(logind.tty)) || (processes === undefined ? "" : leaderTty(processes, logind.leader));
    let found: SessionProcesses | null = null;
    if (processes !== undefined) {
      const uid = options.anyUser
        ? undefined
        : given ?? (logind !== undefined ? undefined : machine.uidOf(storedString(record, "ut_user").slice(0, 32)));
      if (uid === undefined && !options.anyUser && options.passwdOnly) continue;
      const device = tools === "debian-13" ? charDevice(machine, tty) : machine.ttyDevice(tty);
      found = foregroundCommand(processes, logind?.leader ?? record.ut_pid, device, uid, machine);
      // A wtmpdb keeps no pids: its open sessions cannot be checked (a utmp record without a pid is stale to w).
      if (!found.found && factsOf(source).keepsPids) continue;
    }
    // procps 4.0.4 leaves the idle time of a session without a terminal blank (null); 4.0.2 stats "/dev/".
    const stat = tools === "debian-13" && tty === "" ? undefined : machine.statTty("/dev/" + tty);
    sessions.push({
      record,
      source,
      tools,
      tty,
      remoteHost: logind?.remoteHost,
      display: logind === undefined && stored.startsWith(":"),
      idle: stat === undefined ? null : now - stat.atime,
      processes: found,
    });
  }
  return {
    sessions,
    userCount,
    uptime: machine.uptime() ?? null,
    loadAverage: machine.loadAverage() ?? null,
    hertz: processes === undefined ? 100 : machine.hertz(),
    now,
    notes,
    machine,
    tools,
  };
}

/**
 * procps 4.0.4's `get_tty_device`: `/dev/LINE`, `/dev/ttyLINE`,
 * `/dev/pts/LINE`, the first that is a character device (4.0.2 took any
 * file: "/dev/" itself for an empty line).
 */
function charDevice(machine: Machine, line: string): number {
  if (line.startsWith("/")) return machine.statTty(line)?.rdev ?? -1;
  for (const form of ["/dev/", "/dev/tty", "/dev/pts/"]) {
    const s = machine.statTty((form + line).slice(0, 31));
    if (s !== undefined && (s.mode & 0o170000) === 0o020000) return s.rdev;
  }
  return -1;
}

/**
 * procps 4.0.4's `get_session_tty`, its last way: the terminal of the first
 * child of the session's leader (in pid order) that has one, else of that
 * child's children listed after it, as procps names it ("pts/3").
 */
function leaderTty(processes: readonly ProcessStat[], leader: number): string {
  if (leader <= 0) return "";
  // Each process's children that have a terminal, by index: one pass, not one per child (a leader of thousands of
  // children without one made it quadratic).
  let withTty: Map<number, number[]> | undefined;
  for (let i = 0; i < processes.length; i++) {
    const p = processes[i]!;
    if (p.ppid !== leader) continue;
    if (p.tty !== 0) return ttyName(p.tty);
    if (withTty === undefined) {
      withTty = new Map();
      processes.forEach((q, j) => {
        if (q.tty === 0) return;
        const list = withTty!.get(q.ppid);
        if (list === undefined) withTty!.set(q.ppid, [j]);
        else list.push(j);
      });
    }
    const j = withTty.get(p.pid)?.find((k) => k >= i);
    if (j !== undefined) return ttyName(processes[j]!.tty);
  }
  return "";
}

/** A terminal's name from its device number, as procps abbreviates it: "pts/N", "ttyN", "ttySN", else "?". */
function ttyName(dev: number): string {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  return "?";
}
