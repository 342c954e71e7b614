/**
 * `utmp lastb --summary`: {@link failureSummary}'s counts, per source
 * address and per user name, as a table or as JSON.
 *
 * @module
 */

import { type FailureCount, failureSummary, type FailureSummaryOptions } from "../failures.ts";
import { terminalText } from "../_internal/escape/terminal.ts";
import type { Writer } from "./_command.ts";
import { TimeText } from "./_text.ts";
import { utf8String } from "../_internal/bytes.ts";

/**
 * Prints the summary of the failed logins in `options`' files.
 *
 * @param out Where (text, or with --json/--ndjson the summary object).
 * @param options The files and layout.
 */
export async function printFailureSummary(out: Writer, options: FailureSummaryOptions): Promise<void> {
  const summary = await failureSummary(options);
  if (out.json) {
    await out.item(summary);
    return;
  }
  const time = new TimeText("iso");
  const table = (title: string, what: string, counts: readonly FailureCount[]): string => {
    const keys = counts.map((c) => c.key === "" ? "-" : terminalText(c.key));
    const width = Math.max(what.length, ...keys.map((k) => k.length));
    const count = Math.max(5, ...counts.map((c) => String(c.count).length));
    const head = `${"COUNT".padStart(count)} ${what.padEnd(width)} ${"FIRST".padEnd(25)} LAST\n`;
    return `${title}\n${head}${
      counts.map((c, i) =>
        `${String(c.count).padStart(count)} ${keys[i]!.padEnd(width)} ${
          time.of(Math.floor(c.first.getTime() / 1000))
        } ${time.of(Math.floor(c.last.getTime() / 1000))}\n`
      ).join("")
    }`;
  };
  await out.text(utf8String(
    `${summary.total} failed logins\n\n` +
      table("By source address:", "ADDRESS", summary.byAddress) + "\n" +
      table("By user:", "USER", summary.byUser),
  ));
}
