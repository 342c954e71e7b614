/**
 * The command line speaks its own language: errors that name a library
 * option (`the layout option`, `LastlogFile`, `source "wtmpdb"`) come out
 * naming the flag or the command (`--layout NAME`, `utmp lastlog`), from
 * real library errors on real files;
 * Deno's permission denials come out as one "Cannot ...: not allowed (Deno
 * needs --allow-...)" line.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { cliMessage, deniedMessage } from "../../src/cli/_messages.ts";
import { ours } from "./_run.ts";

/** Words of the library's API that the command line has no flag or command for. */
const LIBRARY_WORDS = /layout option|LastlogFile|source "|uids option|backend "|pass the path of one/;

const WTMP = join(FIXTURES, "utmp-rs/with_host_32.utmp");
const LASTLOG = join(FIXTURES, "s4/CentOS7/x86_64/lastlog");

test("main() names the flag or command, not the library option, in the errors of real files", async () => {
  const tmp = tempDir();
  try {
    // 36-byte records: the bsd/svr4 look-alikes detection never chooses.
    const lookAlike = tmp.file(
      "utmp36",
      encodeRecords(LAYOUTS.svr4, [{ ut_type: "USER_PROCESS", ut_line: "tty1", ut_user: "ann", tv_sec: 5e8 }]),
    );
    const noise = tmp.file("noise", new Uint8Array(384 * 4).map((_, i) => (i * 131 + 7) % 251));
    const empty = join(tmp.dir, "empty-root");
    mkdirSync(empty);
    for (
      const [argv, words] of [
        [["dump", LASTLOG], "read it with 'utmp lastlog --file FILE'"],
        [["who", LASTLOG], "read it with 'utmp lastlog --file FILE'"],
        [["who", lookAlike], "pass --layout NAME"],
        [["last", "-f", noise], "pass --layout NAME"],
        [["dump", "--layout", "lastlog-linux", WTMP], "read it with 'utmp lastlog --layout lastlog-linux --file FILE'"],
        [["--root", empty, "who"], "name the file to read: 'utmp who FILE'"],
        [["users", "--root", empty], "name the file to read: 'utmp users FILE'"],
      ] as const
    ) {
      const ran = await ours([...argv]);
      const what = `utmp ${argv.join(" ")}: ${ran.err}`;
      assert.equal(ran.code, 1, what);
      assert.match(ran.err, /^utmp \w+: Cannot [^\n]+\n$/, what);
      assert.ok(ran.err.includes(words), what);
      assert.doesNotMatch(ran.err, LIBRARY_WORDS, what);
    }
  } finally {
    tmp.cleanup();
  }
});

test("cliMessage() turns a Deno permission denial into one line naming the flag, whatever it was wrapped in", () => {
  const denied = (message: string): Error => Object.assign(new Error(message), { name: "NotCapable" });
  for (
    const [message, line] of [
      [
        'Requires read access to "/var/run/utmp", run again with the --allow-read flag',
        'Cannot read "/var/run/utmp": not allowed (Deno needs --allow-read)',
      ],
      [
        'Requires all access to "/proc/1", run again with the --allow-all flag',
        'Cannot read "/proc/1": not allowed (Deno needs --allow-all)',
      ],
      [
        'Requires write access to "/tmp/x", run again with the --allow-write flag',
        'Cannot write "/tmp/x": not allowed (Deno needs --allow-write)',
      ],
      [
        'Requires env access to "LC_ALL", run again with the --allow-env flag',
        'Cannot read the environment variable "LC_ALL": not allowed (Deno needs --allow-env)',
      ],
      [
        'Requires sys access to "osUptime", run again with the --allow-sys flag',
        'Cannot ask the system for "osUptime": not allowed (Deno needs --allow-sys)',
      ],
    ] as const
  ) {
    assert.equal(deniedMessage(denied(message)), line);
    assert.equal(cliMessage(new Error("Cannot open", { cause: denied(message) })), line, "as a cause");
  }
});
