/**
 * `utmp lastlog`: shadow's `lastlog` (4.13), byte for byte: every user of
 * the password file, in its order, with the last login from the lastlog
 * file read by uid.
 *
 * @module
 */

import { type LastlogEntry, LastlogFile } from "../lastlog_file.ts";
import { type LastlogLayoutName, LAYOUTS } from "../layouts/registry.ts";
import { byteString, p2, stringBytes, utf8String } from "../_internal/bytes.ts";
import { Root } from "../sources/_root.ts";
import { chooseSource } from "../sources/choose.ts";
import { factsOf } from "../sources/_readers.ts";
import { PASSWD_PATH } from "../paths.ts";
import { passwdEntries, type PasswdEntry } from "../_internal/passwd.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, type Context, EXIT, jsonMode, lastValue, Writer } from "./_command.ts";
import { DAYS, left, localtime, MONTHS } from "./_text.ts";
import { terminalText } from "../_internal/escape/terminal.ts";
import { lastLoginsFromHistory } from "../history_logins.ts";

/** Bytes of login.defs read at most (Debian's is 12 KiB). */
const LOGIN_DEFS_LIMIT = 1 << 20;

/** LASTLOG_UID_MAX from the root's login.defs (default: every uid, also where it cannot be read). */
async function uidMax(root: Root): Promise<number> {
  // Not even a permission denial stops it: the default is what shadow takes without the file.
  const bytes = await root.readSmall("/etc/login.defs", LOGIN_DEFS_LIMIT).catch(() => undefined);
  const m = bytes === undefined ? null : /^[ \t]*LASTLOG_UID_MAX[ \t]+(\S+)/m.exec(byteString(bytes));
  if (m !== null && /^(0x[0-9a-f]+|\d+)$/i.test(m[1]!)) return Number(m[1]);
  return 0xffffffff;
}

/** shadow's getrange: "N", "-N", "N-", "N-M". */
function range(text: string): { min?: number; max?: number } | undefined {
  const m = /^(\d*)(-?)(\d*)$/.exec(text);
  if (m === null || (m[1] === "" && m[3] === "")) return undefined;
  const [, lo, dash, hi] = m;
  if (dash === "") return { min: Number(lo), max: Number(lo) };
  return { ...(lo !== "" ? { min: Number(lo) } : {}), ...(hi !== "" ? { max: Number(hi) } : {}) };
}

/** strftime("%a %b %e %H:%M:%S %z %Y"). */
function lastlogTime(t: number): string {
  const tm = localtime(t);
  const off = Math.abs(tm.gmtoff);
  const zone = `${tm.gmtoff < 0 ? "-" : "+"}${p2(Math.trunc(off / 60))}${p2(off % 60)}`;
  return `${DAYS[tm.wday]} ${MONTHS[tm.mon]} ${String(tm.mday).padStart(2, " ")} ${p2(tm.hour)}:${p2(tm.min)}:${
    p2(tm.sec)
  } ${zone} ${tm.year}`;
}

function days(args: ParsedArgs, key: string): number | undefined {
  const value = lastValue(args, key);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid numeric argument '${value}'`);
  return Number(value) * 86400;
}

function lastlogLayout(name: string): "auto" | LastlogLayoutName {
  if (name === "auto") return name;
  const known = Object.values(LAYOUTS).filter((l) => l.kind === "lastlog").map((l) => l.name);
  if (!known.includes(name)) {
    throw new UsageError(`unknown lastlog layout "${name}": expected one of ${known.map((n) => `"${n}"`).join(", ")}`);
  }
  return name as LastlogLayoutName;
}

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  if (args.operands.length > 0) throw new UsageError(`unexpected argument: ${args.operands[0]}`);
  // -R DIR (shadow chroots into it) or the global --root: every path is resolved inside it, links included.
  const root = lastValue(args, "root") ?? ctx.globals.root;
  if (args.options.some(([key]) => key === "from-history")) return await fromHistory(args, ctx, root);
  // Under a root, its paths hold no link and one put there since is not followed (Root's opens). A password file
  // that cannot be read lists no user, as getpwent finds none.
  const system = Root.of(root);
  const users = passwdEntries(byteString(await system.passwd()));
  // The lastlog file, or lastlog2's database where the system keeps that instead (or FILE is one): the chooser's.
  const file = args.options.filter(([key]) => key === "file" || key === "database").pop()?.[1];
  const chosen = await chooseSource("lastlog", file === undefined ? { root } : { path: file });
  if (factsOf(chosen.source).byName) {
    const { printLastlog2, UserError } = await import("./_lastlog2.ts");
    // Printed as util-linux's lastlog2 prints it: the database's rows, not the password file's users.
    const out = new Writer(ctx.io, jsonMode(args));
    try {
      await printLastlog2(args, out, {
        path: chosen.path,
        passwd: await system.path(PASSWD_PATH),
        noFollow: chosen.root.noFollow || system.noFollow,
        users,
        time: lastlogTime,
      });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await out.end();
      ctx.io.err(`utmp lastlog: ${terminalText(error.message)}\n`);
      return EXIT.CANNOT_READ;
    }
    await out.end();
    return EXIT.OK;
  }
  const maxUid = await uidMax(system);
  const userOption = lastValue(args, "user");
  let selected: PasswdEntry[];
  if (userOption === undefined) selected = users.filter((u) => u.uid <= maxUid);
  else {
    const byName = users.find((u) => u.name === utf8String(userOption));
    const r = byName !== undefined ? { min: byName.uid, max: byName.uid } : range(userOption);
    if (r === undefined) throw new UsageError(`Unknown user or range: ${userOption}`);
    if (r.min !== undefined && r.min === r.max) {
      const one = users.find((u) => u.uid === r.min);
      selected = one === undefined ? [] : [one];
    } else {
      selected = users.filter((u) =>
        !(r.min !== undefined && u.uid < r.min) && !(r.max !== undefined && u.uid > r.max)
      );
    }
  }
  const recent = days(args, "time");
  const before = days(args, "before");
  const entries = new Map<number, LastlogEntry & { service?: string }>();
  const layout = lastlogLayout(lastValue(args, "layout") ?? "auto");
  const uids = new Set(selected.map((u) => u.uid));
  for await (const e of new LastlogFile(chosen.path, { layout, uids, noFollow: chosen.root.noFollow })) {
    entries.set(e.uid, e);
  }
  const now = Math.floor(Date.now() / 1000);
  const out = new Writer(ctx.io, jsonMode(args));
  let header = false;
  for (const user of selected) {
    const e = entries.get(user.uid);
    const t = e === undefined ? 0 : Math.floor(e.time.getTime() / 1000);
    if (recent !== undefined && now - t > recent) continue;
    if (before !== undefined && now - t < before) continue;
    if (out.json) {
      await out.item({
        user: new TextDecoder().decode(stringBytes(user.name)),
        uid: user.uid,
        time: t === 0 ? null : e!.time,
        line: e?.line ?? "",
        host: e?.host ?? "",
        service: e?.service ?? "",
      });
      continue;
    }
    if (!header) {
      await out.text(`Username         Port     From${" ".repeat(39)}Latest\n`);
      header = true;
    }
    // A time beyond what a Date holds (a damaged slot) is NaN: shadow prints "(unknown)" where localtime() fails.
    const when = t === 0 ? "**Never logged in**" : Number.isNaN(t) ? "(unknown)" : lastlogTime(t);
    await out.text(
      `${left(user.name, 16)} ${left(utf8String(e?.line ?? ""), 8, 8)} ${left(utf8String(e?.host ?? ""), 42)}${when}\n`,
    );
  }
  await out.end();
  return EXIT.OK;
}

/**
 * `lastlog --from-history`: each user's last login from the login history
 * (wtmp or wtmpdb, `--file` instead, `--rotated` with its rotated set), in
 * lastlog's columns, the users by name (those the history names; `-u` one).
 */
async function fromHistory(args: ParsedArgs, ctx: Context, root: string | undefined): Promise<number> {
  const paths = args.options.filter(([key]) => key === "file").map(([, value]) => value);
  const user = lastValue(args, "user");
  const out = new Writer(ctx.io, jsonMode(args));
  let header = false;
  for await (
    const e of lastLoginsFromHistory({
      ...(paths.length > 0 ? { paths } : {}),
      ...(root !== undefined ? { root } : {}),
      rotated: args.options.some(([key]) => key === "rotated"),
      ...(user !== undefined ? { users: [user] } : {}),
    })
  ) {
    if (out.json) {
      await out.item(e);
      continue;
    }
    if (!header) {
      await out.text(`Username         Port     From${" ".repeat(39)}Latest\n`);
      header = true;
    }
    const t = Math.floor(e.time.getTime() / 1000);
    await out.text(
      `${left(utf8String(terminalText(e.user)), 16)} ${left(utf8String(terminalText(e.line)), 8, 8)} ${
        left(utf8String(terminalText(e.host)), 42)
      }${lastlogTime(t)}\n`,
    );
  }
  await out.end();
  return EXIT.OK;
}

/** `utmp lastlog`. */
export const command: Command = {
  name: "lastlog",
  summary: "the last login of each user (shadow lastlog)",
  usage: "[options]",
  help: `Print the last login of each user in the password file, from the lastlog file.

  -b, --before DAYS     print only lastlog records older than DAYS
  -R, --root DIR        read DIR/etc/passwd and DIR/var/log/lastlog, symbolic
                        links resolved inside DIR (as in a chroot)
  -t, --time DAYS       print only lastlog records more recent than DAYS
  -u, --user LOGIN      print the lastlog record of LOGIN (or a uid, or a uid range N-M)

Where the system keeps no /var/log/lastlog but a lastlog2 database (or a newer
one), that is read, and printed as util-linux's lastlog2 prints it: every user
the database has, by name (-u: the one user, who must be in the password file),
with its options:

  -a, --active          leave out the users who never logged in
  -d, --database FILE   read FILE (as --file)
  -s, --service         display the PAM service

--from-history reads each user's last login from the login history instead
(wtmp or wtmpdb; --file FILE names it, --rotated adds its rotated set): every
user the history names, by name, as lslogins' LAST-LOGIN reads wtmp.

--file FILE reads FILE instead (a lastlog file or a lastlog2 database);
--layout names a lastlog layout ("lastlog-linux", ...).
With --json/--ndjson: one object per user, as lastlogs() gives them
({ user, uid, time, line, host, service }; time as ISO-8601 UTC text, null
when never logged in; service "" from a lastlog file, which keeps none).
`,
  options: [
    { key: "active", short: "a", long: "active" },
    { key: "before", short: "b", long: "before", arg: true },
    { key: "database", short: "d", long: "database", arg: true },
    { key: "service", short: "s", long: "service" },
    { key: "root", short: "R", long: "root", arg: true },
    { key: "time", short: "t", long: "time", arg: true },
    { key: "user", short: "u", long: "user", arg: true },
    { key: "from-history", long: "from-history" },
    { key: "rotated", long: "rotated" },
  ],
  run,
};
