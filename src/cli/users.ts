/**
 * `utmp users`: coreutils `users` (9.1), byte for byte.
 *
 * @module
 */

import type { UtmpRecordObject } from "../record.ts";
import type { ParsedArgs } from "./_args.ts";
import { type Command, type Context, EXIT, fileOperands, jsonMode, Writer } from "./_command.ts";
import { systemFor } from "./_system.ts";
import { isUserProcess, trimmedName, whoRecords } from "./who.ts";

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const operands = fileOperands(args, 1);
  const json = jsonMode(args) !== undefined;
  const users: { name: string; record: UtmpRecordObject | undefined }[] = [];
  for await (const batch of whoRecords(args, ctx, operands[0], await systemFor(ctx, ctx.globals.root, false))) {
    for (const u of batch) {
      // The records of a batch are views into its read buffer: keep names and plain objects only.
      if (isUserProcess(u)) users.push({ name: trimmedName(u), record: json ? u.toJSON() : undefined });
    }
  }
  // qsort with strcmp: byte order.
  users.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out = new Writer(ctx.io, jsonMode(args));
  if (out.json) { for (const u of users) await out.item(u.record); }
  else if (users.length > 0) await out.text(users.map((u) => u.name).join(" ") + "\n");
  await out.end();
  return EXIT.OK;
}

/** `utmp users`. */
export const command: Command = {
  name: "users",
  summary: "the names of the users logged in (coreutils users)",
  usage: "[options] [FILE]",
  help: `Output who is currently logged in according to FILE, one line of names
sorted and separated by spaces, a name once per session.
If FILE is not given, the system's utmp is read and entries whose process
is gone are left out. A FILE that is a directory is read as systemd-logind's
session directory (/run/systemd/sessions, or a copy of it); an SQLite FILE
as a wtmpdb database (its open sessions).
With --json/--ndjson the sessions' records are printed as JSON, in the same order.
`,
  options: [],
  run,
};
