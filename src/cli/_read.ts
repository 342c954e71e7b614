/**
 * Opening the record files a command reads, with the `--layout` option.
 *
 * @module
 */

import { getLayout, type LayoutName } from "../layouts/registry.ts";
import type { UtmpRecord } from "../record.ts";
import { UtmpFile } from "../utmp_file.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Context, lastValue } from "./_command.ts";

/**
 * The `--layout` option, checked.
 *
 * @param args Parsed arguments.
 * @returns The layout name, or "auto".
 * @throws {UsageError} For an unknown layout name.
 */
export function layoutOption(args: ParsedArgs): "auto" | LayoutName {
  const name = lastValue(args, "layout") ?? "auto";
  if (name === "auto") return name;
  try {
    getLayout(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return name as LayoutName;
}

/**
 * A file's records in file order, a batch per read, problems reported on
 * standard error.
 *
 * @param args Parsed arguments (for `--layout`).
 * @param ctx Where to report problems.
 * @param path The file; the system's utmp when undefined.
 * @param keepInvalid Yield records with an impossible type too.
 * @param noFollow Open without following a link at the last component (a path resolved under `--root`).
 * @returns Batches of records.
 */
export async function* openRecords(
  args: ParsedArgs,
  ctx: Context,
  path: string | undefined,
  keepInvalid = false,
  noFollow = false,
): AsyncGenerator<UtmpRecord[]> {
  // Each batch is used before the next is read: the buffers can be reused.
  const layout = layoutOption(args);
  const file = new UtmpFile(path, { layout, backend: "file", keepInvalid, reuseBuffers: true, noFollow });
  let reported = 0;
  for await (const batch of file.batches()) {
    yield batch;
    reported = warn(ctx, file, reported);
  }
  warn(ctx, file, reported);
}

function warn(ctx: Context, file: UtmpFile, from: number): number {
  for (const w of file.warnings.slice(from)) {
    if (w.kind === "impossible-type") continue;
    ctx.io.err(`utmp ${ctx.command}: "${file.path}": record ${w.recordIndex} at byte ${w.offset}: ${w.reason}\n`);
  }
  return file.warnings.length;
}
