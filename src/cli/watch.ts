/**
 * `utmp watch`: logins, logouts and boots as they are written to wtmp (or a
 * utmp), one line each, or one JSON object a line with `--ndjson`.
 *
 * @module
 */

import { watch, type WatchEvent, type WatchOptions } from "../watch.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, type Context, EXIT, fileOperands, has, jsonMode, lastValue, Writer } from "./_command.ts";
import { waitingFor } from "./_command.ts"; // a FILE still to come is waited for; a typo in its directory is not
import { layoutOption } from "./_read.ts";
import { utf8String } from "../_internal/bytes.ts";
import { isoLocal, left } from "./_text.ts";
import { terminalText } from "../_internal/escape/terminal.ts";

/**
 * One text line: event, user, line, time, host. The user, line and host come
 * from whoever wrote the file (a failed SSH login writes the name the client
 * sent into btmp): a control, escape or bidi character in them is shown
 * escaped (`\x1b`, `\u202e`), never passed to the terminal.
 */
function textLine(e: WatchEvent): string {
  const u = e.record;
  const line = terminalText(u.ut_line.startsWith("/dev/") ? u.ut_line.slice(5) : u.ut_line);
  const host = u.ut_host === "" ? "" : ` (${terminalText(u.ut_host)})`;
  const user = terminalText(u.ut_user);
  return utf8String(`${left(e.type, 8)} ${left(user, 8)} ${left(line, 12)} ${isoLocal(u.ut_tv.tv_sec)}${host}`)
    .trimEnd() + "\n";
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid number of events: '${value}'`);
  return Number(value);
}

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const mode = jsonMode(args);
  if (mode === "json") throw new UsageError("--json makes one array, which a watch never closes; use --ndjson");
  const operands = fileOperands(args, 1);
  // A FILE still to come holds only new records, even if it appears before the watch first looks.
  const toCome = operands[0] !== undefined && waitingFor(operands[0], ctx);
  const limit = lastValue(args, "limit");
  const most = limit === undefined ? Infinity : count(limit);
  const watchMode = lastValue(args, "mode") ?? "auto";
  if (!["auto", "log", "slots", "logind", "journal"].includes(watchMode)) {
    throw new UsageError(`invalid mode '${watchMode}'; expected auto, log, slots, logind or journal`);
  }
  const options: WatchOptions = {
    from: has(args, "from-start") || toCome ? "start" : "end",
    layout: layoutOption(args),
    mode: watchMode as NonNullable<WatchOptions["mode"]>,
  };
  if (ctx.globals.root !== undefined) options.root = ctx.globals.root;
  const out = new Writer(ctx.io, mode);
  let seen = 0;
  if (most > 0) {
    const events = watch(operands[0], options);
    let warned = 0;
    for await (const e of events) {
      // What the watch passed over (a rotation it could not follow whole), said when it is noticed.
      for (; warned < events.warnings.length; warned++) ctx.io.err(`utmp watch: ${events.warnings[warned]!.reason}\n`);
      if (out.json) await out.item(e);
      else await out.text(textLine(e));
      await out.flush();
      if (++seen >= most) break;
    }
  }
  await out.end();
  return EXIT.OK;
}

/** `utmp watch`. */
export const command: Command = {
  name: "watch",
  summary: "logins, logouts and boots as they happen (follows wtmp or utmp)",
  usage: "[options] [FILE]",
  help: `Print each login, logout, boot and shutdown as it is written to FILE (by
default the system's wtmp, or systemd-logind's sessions where there is no
wtmp), one line each: event, user, line, time, host.
Events: login, logout, boot, shutdown, other (run levels, getty, btmp records).
A wtmp is followed through truncation and rotation; a utmp (rewritten in
place) and logind's session directory are compared entry by entry.
Runs until interrupted.

      --from-start      print the records already in FILE first
  -n, --limit <number>  stop after this many events
      --mode <mode>     auto (default), log (wtmp, btmp), slots (utmp), logind, or
                        journal (the failed logins of the systemd journal)
      --ndjson          one JSON object a line, the library's WatchEvent:
                        {"type": "login", "record": {...}, "previous": {...}}
                        (records with their C field names; "previous" only
                        where the event has one)
`,
  options: [
    { key: "from-start", long: "from-start" },
    { key: "limit", short: "n", long: "limit", arg: true },
    { key: "mode", long: "mode", arg: true },
  ],
  refuses: ["json"],
  run,
};
