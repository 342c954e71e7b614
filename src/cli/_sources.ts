/**
 * Where a command reads when no file is named: the library's one chooser
 * (`chooseSource`), under the global `--root`.
 *
 * @module
 */

import { chooseSource, type ChosenSource, type SourceKind } from "../sources/choose.ts";
import type { Context } from "./_command.ts";

/**
 * The global `--root`, as the library's `root` option.
 *
 * @param ctx The command's context.
 * @returns The option.
 */
export function rootOption(ctx: Context): { root?: string } {
  return ctx.globals.root === undefined ? {} : { root: ctx.globals.root };
}

/**
 * The source of a kind of data a command reads: the file it was given (by
 * what it is), or the system's (under `--root`).
 *
 * @param ctx The command's context (for `--root`).
 * @param kind What data.
 * @param path The file named on the command line, if any.
 * @returns The source and its path.
 */
export function sourceOf<K extends SourceKind>(ctx: Context, kind: K, path?: string): Promise<ChosenSource<K>> {
  return chooseSource(kind, path === undefined ? rootOption(ctx) : { path });
}
