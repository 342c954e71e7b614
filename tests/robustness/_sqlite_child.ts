/**
 * A child process for sqlite_test.ts: reads a wtmpdb with
 * `wtmpdbBatches()` (newest first, or oldest first) and prints how many
 * records it gave, whether their times came in order, and the process's
 * peak resident memory, as one JSON line. A child, so that the peak is the reading's own.
 *
 * The parent spawns this module with `UTMP_SQLITE_CHILD` set to
 * `{"path": ..., "newestFirst": ...}`.
 *
 * @module
 */

import process from "node:process";
import { wtmpdbBatches } from "../../src/sources/wtmpdb.ts";

/** What the child prints. */
export interface ChildResult {
  /** Records read. */
  count: number;
  /** Whether the times came in the order asked for: none earlier than the one before (newest first: none later). */
  ordered: boolean;
  /** Peak resident memory, in KiB. */
  maxRss: number;
}

const given = process.env.UTMP_SQLITE_CHILD;
if (given !== undefined) {
  const { path, newestFirst } = JSON.parse(given) as { path: string; newestFirst: boolean };
  let count = 0;
  let ordered = true;
  let last = newestFirst ? Infinity : -Infinity;
  for await (const batch of wtmpdbBatches(path, { newestFirst })) {
    for (const u of batch) {
      count++;
      const t = u.ut_tv.tv_sec * 1e6 + u.ut_tv.tv_usec;
      if (newestFirst ? t > last : t < last) ordered = false;
      last = t;
    }
  }
  const result: ChildResult = { count, ordered, maxRss: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
