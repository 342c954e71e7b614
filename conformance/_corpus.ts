/**
 * The shared corpus (../shared/fixtures, GPL and AGPL files included, read in
 * place, never copied): its files with a utmpdump twin, for the conformance
 * tests.
 *
 * @module
 */

import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { SHARED_FIXTURES } from "../tests/_util.ts";

/** Whether ../shared/fixtures is beside the repository. */
export const present: boolean = existsSync(SHARED_FIXTURES);

/**
 * Files corrupt on purpose, checked by tests of their own. All 0xFF: every
 * time is 2^32 - 1, which util-linux 2.38 on glibc 2.36 reads as -1 (see
 * the README).
 */
export const CORRUPT: ReadonlySet<string> = new Set(["s4/programs/utmp/host-entry1_all_0xFF.wtmp"]);

/** A binary file and its utmpdump text. */
export interface Twin {
  /** The `.utmpdump.txt` or `.utmpdump-derived.txt` file. */
  twin: string;
  /** The binary file it describes. */
  binary: string;
  /** The binary's path in the corpus. */
  name: string;
  /** The text is of the records converted to x86_64 form (another layout). */
  derived: boolean;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const TWIN = /\.utmpdump(-derived)?\.txt$/;

/** Every file of the corpus with a utmpdump twin (the corrupt ones too), in path order; none without the corpus. */
export const twins: readonly Twin[] = present
  ? [...walk(SHARED_FIXTURES)].filter((p) => TWIN.test(p)).map((twin) => {
    const binary = twin.replace(TWIN, "");
    return { twin, binary, name: relative(SHARED_FIXTURES, binary), derived: twin.endsWith("-derived.txt") };
  })
  : [];
