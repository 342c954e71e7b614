/**
 * {@link Session}: a login paired with how it ended, as `last` lists it;
 * what `lastSessions()` yields, whatever keeps the history.
 *
 * @module
 */

import type { UtmpRecord } from "./record.ts";

/** One line of `last`: a login and how it ended, or a system pseudo-session. */
export interface Session {
  /**
   * What the session stands for:
   * - "login": a user's session (a USER_PROCESS record);
   * - "reboot": the system up from a boot (BOOT_TIME) to the next shutdown;
   * - "shutdown": the system down from a shutdown to the next boot;
   * - "runlevel": a run level from its change to the next one;
   * - "clock": a clock change (OLD_TIME / NEW_TIME); it has no end.
   */
  kind: "login" | "reboot" | "shutdown" | "runlevel" | "clock";
  /** The record that opened it: USER_PROCESS, BOOT_TIME, the shutdown or run-level record, a clock change. */
  login: UtmpRecord;
  /** The record whose time ended it, or null when nothing did. */
  logout: UtmpRecord | null;
  /**
   * Read from several files (a rotated set, `paths`): the file `login` came
   * from, and `logout`'s (null without a logout). Absent for one file.
   */
  files?: { login: string; logout: string | null };
  /**
   * How it ended, in `last`'s words:
   * - "logout": at the time of its `logout` record: for a login a DEAD_PROCESS
   *   on its line, or the next login on that line; for a reboot the shutdown;
   *   for a run level the next change; for a shutdown the next boot;
   * - "crash": a login cut by the next boot, with no shutdown before it (`logout` is the boot);
   * - "down": a login cut by a shutdown (`logout` is the shutdown or run-level 0/6 record);
   * - "still logged in": a login with no logout and no boot since, whose process is alive;
   * - "gone - no logout": the same, but the session is gone (see `LastOptions.isAlive`);
   * - "still running": a reboot, run level or shutdown with nothing after it;
   * - "none": a clock change (its `logout` is the next shutdown, which `last --present` compares with).
   */
  end:
    | "logout"
    | "crash"
    | "down"
    | "still logged in"
    | "gone - no logout"
    | "still running"
    | "none";
  /** When it started (`login.ut_time`). */
  loginTime: Date;
  /** When it ended (`logout.ut_time`), or null. */
  logoutTime: Date | null;
  /** Whole seconds from login to logout (as `last` counts them), or null when it has not ended. */
  duration: number | null;
}
