/**
 * Failure summaries: how many failed logins came from which address and
 * for which user name, and when the first and the last were, from btmp
 * (rotated sets included), read forward in one pass with the records' buffers
 * reused, so that memory holds the distinct keys only.
 *
 * @module
 */

import { type HistoryOptions, historySources } from "./sources/history.ts";
import { UtmpFile } from "./utmp_file.ts";
import type { UtmpRecord } from "./record.ts";
import type { LayoutName } from "./layouts/registry.ts";

/** One key's failures: how many, the first and the last. */
export interface FailureCount {
  /** The address (or host, or user name) the failures share; "" for records with none. */
  key: string;
  /** How many records. */
  count: number;
  /** The earliest record's time. */
  first: Date;
  /** The latest record's time. */
  last: Date;
}

/** What {@link failureSummary} counts. */
export interface FailureSummary {
  /** Records read. */
  total: number;
  /** Per source address (see {@link failureSummary}), most failures first. */
  byAddress: FailureCount[];
  /** Per user name, most failures first. */
  byUser: FailureCount[];
}

/** Options of {@link failureSummary}: the btmp (or `paths`, or its rotated set), under `root`, and its layout. */
export interface FailureSummaryOptions extends Omit<HistoryOptions, "source" | "path"> {
  /** Record layout ("auto" by default). */
  layout?: "auto" | LayoutName;
}

interface Tally {
  count: number;
  first: number;
  last: number;
}

function add(map: Map<string, Tally>, key: string, ms: number): void {
  const t = map.get(key);
  if (t === undefined) map.set(key, { count: 1, first: ms, last: ms });
  else {
    t.count++;
    if (ms < t.first) t.first = ms;
    if (ms > t.last) t.last = ms;
  }
}

function sorted(map: Map<string, Tally>): FailureCount[] {
  return [...map].sort(([ka, a], [kb, b]) => b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0)).map((
    [key, t],
  ) => ({ key, count: t.count, first: new Date(t.first), last: new Date(t.last) }));
}

/** The address a failure came from: the recorded address when there is one, else the host field. */
export function failureAddress(u: UtmpRecord): string {
  return u.ut_addr.some((b) => b !== 0) ? u.ut_addr_text : u.ut_host;
}

/**
 * Counts the failed logins of a btmp (by default the system's, under
 * `root`; with `rotated`, its rotated set too) per source address — the
 * recorded address (`ut_addr_text`) where there is one, else the host field
 * (sshd writes the client's address in both) — and per user name, each with
 * the first and last time, most failures first (then by key). Every record
 * counts, as `lastb` lists every one. One pass forward; only the distinct
 * keys are held.
 *
 * @example Failures per address
 * ```ts
 * import { failureSummary } from "@utmp/utmp";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "btmp");
 * const fail = (user: string, ut_addr: number[], tv_sec: number) =>
 *   ({ ut_type: "LOGIN_PROCESS" as const, ut_line: "ssh:notty", ut_user: user, ut_addr, tv_sec });
 * writeFileSync(path, encodeRecords(LAYOUTS.linux, [
 *   fail("root", [192, 0, 2, 7], 1700000000),
 *   fail("admin", [192, 0, 2, 7], 1700000060),
 *   fail("root", [198, 51, 100, 1], 1700000120),
 * ]));
 * const summary = await failureSummary({ paths: [path] });
 * assert.equal(summary.total, 3);
 * assert.deepEqual(summary.byAddress.map((c) => [c.key, c.count]), [["192.0.2.7", 2], ["198.51.100.1", 1]]);
 * assert.deepEqual(summary.byUser.map((c) => [c.key, c.count]), [["root", 2], ["admin", 1]]);
 * assert.equal(summary.byUser[0]!.last.toISOString(), "2023-11-14T22:15:20.000Z");
 * ```
 *
 * @param options The files (`paths`, `rotated`), root and layout.
 * @returns The counts.
 * @throws {UtmpFileError} When a file cannot be read.
 * @throws {UtmpFormatError} When its layout cannot be recognised.
 */
export async function failureSummary(options: FailureSummaryOptions = {}): Promise<FailureSummary> {
  const { layout = "auto", ...rest } = options;
  const byAddress = new Map<string, Tally>();
  const byUser = new Map<string, Tally>();
  let total = 0;
  for (const { path, root } of await historySources({ ...rest, source: "btmp" })) {
    const file = new UtmpFile(path, { noFollow: root.noFollow, layout, reuseBuffers: true });
    for await (const u of file) {
      const ms = u.ut_tv.tv_sec * 1000 + Math.floor(u.ut_tv.tv_usec / 1000);
      add(byAddress, failureAddress(u), ms);
      add(byUser, u.ut_user, ms);
      total++;
    }
  }
  return { total, byAddress: sorted(byAddress), byUser: sorted(byUser) };
}
