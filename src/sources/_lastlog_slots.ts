/**
 * A lastlog file's slots named from the password file: the lastlog-passwd
 * join, what `lastlogs()` yields for a lastlog file.
 *
 * @module
 */

import { namesByUid } from "../_internal/passwd.ts";
import type { Root } from "./_root.ts";
import { type LastlogEntry, LastlogFile } from "../lastlog_file.ts";
import type { LastlogLayoutName } from "../layouts/registry.ts";
import type { LastLogin } from "./lastlog2.ts";

/**
 * A lastlog file's used slots as lastlog2 entries, named from the password file.
 *
 * @param path The lastlog file.
 * @param noFollow Open it without following a link at its last component.
 * @param system The system whose password file names the slots (read through its opens).
 * @returns The entries.
 */
export async function* lastlogFileEntries(
  path: string,
  noFollow: boolean,
  system: Root,
): AsyncGenerator<LastLogin> {
  const names = namesByUid(new TextDecoder().decode(await system.passwd()));
  const file = new LastlogFile(path, { noFollow });
  const seen = new Set<number>();
  const named = (e: LastlogEntry): LastLogin => ({ ...e, user: names.get(e.uid) ?? "", service: "" });
  for await (const e of file) {
    seen.add(e.uid);
    yield named(e);
  }
  // A sparse file's skipped slots: the password file's users there, by direct seeks.
  if (file.warnings.some((w) => w.kind === "sparse")) {
    const rest = [...names.keys()].filter((uid) => !seen.has(uid));
    const layout = file.layout!.name as LastlogLayoutName;
    for await (const e of new LastlogFile(path, { uids: rest, layout, noFollow })) yield named(e);
  }
}
