/**
 * The registry: every layout the reader knows, by name. A layout is one
 * table file (`linux.ts`, `freebsd.ts`, ...) and one line in {@link ALL_LAYOUTS};
 * the name union ({@link LayoutName}) is derived from the tables, so a
 * layout's name is written once, in its table.
 *
 * @module
 */

import type { Layout, LayoutKind } from "./schema.ts";
import { AIX } from "./aix.ts";
import { BSD, LASTLOG_BSD } from "./bsd.ts";
import { DOMAINIX } from "./domainix.ts";
import { FREEBSD, FREEBSD_LOG } from "./freebsd.ts";
import { HPUX } from "./hpux.ts";
import {
  LASTLOG_LINUX,
  LASTLOG_LINUX64,
  LASTLOG_LINUX64_BE,
  LASTLOG_LINUX_BE,
  LINUX,
  LINUX64,
  LINUX64_BE,
  LINUX_BE,
  LINUX_M68K,
} from "./linux.ts";
import { MACOS, MACOS_BE } from "./macos.ts";
import { LASTLOG_NETBSD, NETBSD, NETBSD_UTMPX, NETBSD_UTMPX32 } from "./netbsd.ts";
import { LASTLOG_OPENBSD, OPENBSD } from "./openbsd.ts";
import { SOLARIS, SOLARIS_LE } from "./solaris.ts";
import { SVR4, SVR4_BE } from "./sysv.ts";
import { V7 } from "./v7.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/**
 * Every layout table, the utmp-style ones first, in detection's order of
 * preference among layouts that fit a file equally well. The layout names
 * ({@link LayoutName}) are derived from this list: a new layout is a table
 * file and one line here.
 *
 * @example The first and the last
 * ```ts
 * import { ALL_LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ALL_LAYOUTS[0].name, "linux");
 * assert.equal(ALL_LAYOUTS.at(-1)?.kind, "lastlog");
 * ```
 */
export const ALL_LAYOUTS = [
  LINUX,
  LINUX_BE,
  LINUX64,
  LINUX64_BE,
  LINUX_M68K,
  MACOS,
  MACOS_BE,
  FREEBSD,
  FREEBSD_LOG,
  OPENBSD,
  NETBSD,
  NETBSD_UTMPX,
  NETBSD_UTMPX32,
  SOLARIS,
  SOLARIS_LE,
  AIX,
  HPUX,
  BSD,
  SVR4,
  SVR4_BE,
  V7,
  DOMAINIX,
  LASTLOG_LINUX,
  LASTLOG_LINUX64,
  LASTLOG_LINUX_BE,
  LASTLOG_LINUX64_BE,
  LASTLOG_OPENBSD,
  LASTLOG_NETBSD,
  LASTLOG_BSD,
] as const;

/** Any layout name in {@link LAYOUTS}. */
export type LayoutName = (typeof ALL_LAYOUTS)[number]["name"];

/** A utmp/utmpx/wtmp/btmp layout name, accepted by `UtmpFile`'s `layout` option. */
export type UtmpLayoutName = Extract<(typeof ALL_LAYOUTS)[number], { readonly kind: "utmp" }>["name"];

/** A lastlog layout name, accepted by `LastlogFile`'s `layout` option. */
export type LastlogLayoutName = Extract<(typeof ALL_LAYOUTS)[number], { readonly kind: "lastlog" }>["name"];

/**
 * Every layout by name: the utmp-style ones (`kind: "utmp"`), then the
 * lastlog ones (`kind: "lastlog"`). Each entry is a frozen data table with
 * its size, byte order, fields and the source its offsets were read from.
 *
 * @example List the layouts
 * ```ts
 * import { LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LAYOUTS["linux64-be"].size, 400);
 * assert.equal(LAYOUTS["linux64-be"].endian, "be");
 * assert.equal(LAYOUTS.freebsd.size, 197);
 * assert.equal(LAYOUTS["lastlog-linux"].kind, "lastlog");
 * ```
 */
export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = Object.freeze(
  Object.fromEntries(ALL_LAYOUTS.map((layout) => [layout.name, layout])) as Record<LayoutName, Layout>,
);

/**
 * The layouts of one kind, in the registry's order.
 *
 * @example The lastlog layouts
 * ```ts
 * import { layoutsOf } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(layoutsOf("lastlog").every((l) => l.kind === "lastlog"));
 * assert.equal(layoutsOf("utmp")[0]?.name, "linux");
 * ```
 *
 * @param kind "utmp" or "lastlog".
 * @returns The layouts.
 */
export function layoutsOf(kind: LayoutKind): readonly Layout[] {
  return kind === "utmp" ? UTMP : LASTLOG;
}

const UTMP: readonly Layout[] = Object.freeze(ALL_LAYOUTS.filter((l) => l.kind === "utmp"));
const LASTLOG: readonly Layout[] = Object.freeze(ALL_LAYOUTS.filter((l) => l.kind === "lastlog"));

/**
 * Looks a layout up by name; with `kind`, it must be of that kind.
 *
 * @example By name
 * ```ts
 * import { getLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getLayout("linux").size, 384);
 * assert.throws(() => getLayout("vms"), RangeError);
 * assert.throws(() => getLayout("lastlog-linux", "utmp"), RangeError);
 * ```
 *
 * @param name A layout name.
 * @param kind The kind of file it is to read, if it matters.
 * @param path The file it is to read, for the message.
 * @returns The layout.
 * @throws {RangeError} When no layout has that name, or it is of another kind.
 */
export function getLayout(name: string, kind?: LayoutKind, path?: string): Layout {
  const layout = Object.hasOwn(LAYOUTS, name) ? (LAYOUTS as Record<string, Layout>)[name] : undefined;
  if (layout === undefined) {
    const known = (kind === undefined ? ALL_LAYOUTS : layoutsOf(kind)).map((l) => `"${l.name}"`).join(", ");
    throw new RangeError(`Cannot find layout "${name}": expected one of ${known}`);
  }
  if (kind !== undefined && layout.kind !== kind) {
    const what = path === undefined ? "records" : quotePath(path);
    const why = layout.kind === "lastlog"
      ? "it is a lastlog layout (last logins by uid); use LastlogFile"
      : "it is not a lastlog layout; use UtmpFile";
    throw new RangeError(`Cannot read ${what} with layout "${name}": ${why}`);
  }
  return layout;
}
