/**
 * `utmp dump`: util-linux `utmpdump` (2.38), byte for byte, both ways.
 *
 * @module
 */

import { writeFile } from "node:fs/promises";
import process from "node:process";
import { encodeRecord } from "../layouts/encode.ts";
import { decodeRecord } from "../layouts/decode.ts";
import { getLayout } from "../layouts/registry.ts";
import { nativeLayoutName } from "../layouts/native.ts";
import { arch, platform } from "../_internal/runtime.ts";
import { concatBytes } from "../_internal/bytes.ts";
import { openLiveFile } from "../backends/_byte_source.ts";
import { UtmpdumpParser, writeUtmpdumpLine } from "../utmpdump.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, type Context, EXIT, fileOperands, has, jsonMode, lastValue, Writer } from "./_command.ts";
import { layoutOption, openRecords } from "./_read.ts";
import { chooseSource } from "../sources/choose.ts";
import { rootOption } from "./_sources.ts";
import { writeFileError } from "./_messages.ts";

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const operands = fileOperands(args, 1);
  if (has(args, "reverse")) return await reverse(args, ctx, operands[0]);
  if (has(args, "output")) throw new UsageError("option '--output' goes with '--reverse'");
  const out = new Writer(ctx.io, jsonMode(args));
  // Without FILE: the system's utmp, under --root the root's (the chooser's, resolved inside it).
  const chosen = operands[0] === undefined && ctx.globals.root !== undefined
    ? await chooseSource("sessions", { ...rootOption(ctx), source: "utmp" })
    : undefined;
  const path = operands[0] ?? chosen?.path;
  for await (const batch of openRecords(args, ctx, path, true, chosen?.root.noFollow)) {
    for (const u of batch) {
      if (out.json) await out.item(u);
      else {
        const start = out.position;
        if (writeUtmpdumpLine(out, u)) out.write("\n");
        else out.takeFrom(start);
      }
    }
    await out.flushIfFull();
  }
  await out.end();
  return EXIT.OK;
}

/** `utmpdump -r`: text from FILE or standard input to binary records on standard output or --output. */
async function reverse(args: ParsedArgs, ctx: Context, path: string | undefined): Promise<number> {
  const name = layoutOption(args);
  const layout = getLayout(name === "auto" ? nativeLayoutName(platform, arch) ?? "linux" : name);
  const output = lastValue(args, "output");
  const out = new Writer(ctx.io, jsonMode(args));
  const binary: Uint8Array[] = [];
  const parser = new UtmpdumpParser({
    onProblem: (p) => ctx.io.err(`utmp dump: line ${p.line}: parse error: ${p.reason}\n`),
  });
  let rest: Uint8Array = new Uint8Array(0);
  const parse = async (text: Uint8Array): Promise<void> => {
    for (const record of parser.parse(text)) {
      const bytes = encodeRecord(layout, record);
      if (out.json) await out.item(decodeRecord(bytes, layout));
      else if (output !== undefined) binary.push(bytes);
      else await ctx.io.out(bytes);
    }
  };
  for await (const chunk of input(ctx, path)) {
    // utmpdump reads with fgets(buf, 1023): a line is cut into pieces of 1022 bytes. Every whole piece is parsed
    // at once, so what waits for the next chunk is under 1022 bytes, however long the line: linear in the input.
    const joined = rest.length === 0 ? chunk : concatBytes([rest, chunk]);
    const lineEnd = joined.lastIndexOf(0x0a) + 1;
    const end = lineEnd + Math.floor((joined.length - lineEnd) / FGETS_PIECE) * FGETS_PIECE;
    await parse(joined.subarray(0, end));
    rest = joined.slice(end);
  }
  if (rest.length > 0) await parse(rest);
  if (output !== undefined && !out.json) {
    try {
      await writeFile(output, concatBytes(binary));
    } catch (error) {
      throw writeFileError(error, output);
    }
  }
  await out.end();
  return EXIT.OK;
}

/** Bytes of a line utmpdump's `fgets(buf, 1023, ...)` reads at most at once. */
const FGETS_PIECE = 1022;

async function* input(ctx: Context, path: string | undefined): AsyncGenerator<Uint8Array> {
  if (path === undefined || path === "-") {
    for await (const chunk of ctx.io.stdin ?? process.stdin) yield chunk as Uint8Array;
    return;
  }
  const file = await openLiveFile(path);
  try {
    for (let at = 0;;) {
      const buf = new Uint8Array(1 << 20);
      const n = await file.read(buf, at);
      if (n === 0) return;
      at += n;
      yield buf.subarray(0, n);
    }
  } finally {
    await file.close();
  }
}

/** `utmp dump`. */
export const command: Command = {
  name: "dump",
  summary: "records as text, or text back to records (util-linux utmpdump)",
  usage: "[options] [FILE]",
  help: `Dump a utmp, wtmp or btmp file as text, one line per record, as utmpdump does:
[type] [pid] [id] [user] [line] [host] [address] [time, UTC]

  -r, --reverse        read that text (from FILE, or standard input) and write the
                       binary records (to standard output), as utmpdump -r does
  -o, --output FILE    with --reverse: write the binary records to FILE
      --layout NAME    with --reverse: the layout to write (default: this machine's)

Without FILE, the system's utmp is dumped (under --root, that of the root).
`,
  options: [
    { key: "reverse", short: "r", long: "reverse" },
    { key: "output", short: "o", long: "output", arg: true },
  ],
  run,
};
