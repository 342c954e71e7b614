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
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "../_harness.ts";
import { FIXTURES, run, tempDir } from "../_util.ts";
import { UtmpFile } from "../../src/utmp_file.ts";
import { UtmpFormatError } from "../../src/errors.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { cliMessage, deniedMessage } from "../../src/cli/_messages.ts";
import { ours } from "./_run.ts";
import { HAS_SQLITE, LASTLOG2_SCHEMA, WTMPDB_SCHEMA } from "../sources/_build.ts";

/** Words of the library's API that the command line has no flag or command for. */
const LIBRARY_WORDS = /layout option|LastlogFile|source "|uids option|backend "|pass the path of one/;

const WTMP = join(FIXTURES, "utmp-rs/with_host_32.utmp");
const LASTLOG = join(FIXTURES, "s4/CentOS7/x86_64/lastlog");

test("main() names the flag or command, not the library option, in the errors of real files", async () => {
  using tmp = tempDir();
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

test("main() names what a file is when it is not login records: compressed, utmpdump text, plain text, another database", async () => {
  using tmp = tempDir();
  const wtmp = readFileSync(WTMP);
  const sqlite = (name: string, sql: string): string => {
    const path = join(tmp.dir, name);
    const made = spawnSync("sqlite3", [path, sql], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    return path;
  };
  const gz = tmp.file("wtmp.1.gz", gzipSync(wtmp)); // a rotated wtmp, as logrotate leaves it
  const xz = tmp.file("wtmp.xz", Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6));
  const bz2 = tmp.file("wtmp.bz2", new TextEncoder().encode("BZh91AY&SY"));
  // utmpdump's own text, given where the binary was meant (the --reverse forgotten).
  const text = tmp.file("w.txt", run("utmpdump", [WTMP]));
  const short = tmp.file("short.txt", "hello world\n"); // 12 bytes: less than one record of any layout
  const services = tmp.file("services", "ssh\t\t22/tcp\t\t\t# SSH Remote Login Protocol\n".repeat(200));
  const wtmpdb = sqlite(
    "wtmp.db",
    WTMPDB_SCHEMA +
      "INSERT INTO wtmp VALUES(1, 3, 'alice', 1700000000000000, NULL, 'pts/0', '192.0.2.7', 'sshd');",
  );
  const lastlog2 = sqlite(
    "lastlog2.db",
    LASTLOG2_SCHEMA +
      "INSERT INTO Lastlog2 VALUES('alice', 1700000000, 'pts/0', '192.0.2.7', 'sshd');",
  );
  const as = (path: string, reading = "login records") => `Cannot read "${path}" as ${reading}: `;
  // A gzip file is read as it is (tests/cli/compressed_test.ts compares it with util-linux): as its plain copy.
  const plain = tmp.file("wtmp.1", wtmp);
  for (const argv of [["last", "-f"], ["who"], ["dump"], ["lastb", "-f"]]) {
    const [zipped, unzipped] = [await ours([...argv, gz]), await ours([...argv, plain])];
    assert.equal(zipped.code, 0, `${argv.join(" ")} ${gz}: ${zipped.err}`);
    assert.deepEqual({ ...zipped, out: zipped.out.replaceAll("wtmp.1.gz", "wtmp.1") }, unzipped, argv.join(" "));
  }
  const cases: [string[], string][] = [
    [
      ["dump", xz],
      `Cannot read "${xz}": it is xz-compressed, which this library does not decompress (ENOTSUP); ` +
      `decompress it first (xz -dk "${xz}") and read the copy`,
    ],
    [
      ["dump", bz2],
      `${as(bz2)}it is bzip2-compressed (it begins with bzip2's magic "BZh"); decompress it first: bzcat FILE > COPY`,
    ],
    [
      ["dump", text],
      `${
        as(text)
      }it is utmpdump's text (its first line reads "[type] [pid] [id] [user] ..."), not binary records; turn it into records with 'utmp dump --reverse FILE'`,
    ],
    [
      ["last", "-f", text],
      `${
        as(text)
      }it is utmpdump's text (its first line reads "[type] [pid] [id] [user] ..."), not binary records; turn it into records with 'utmp dump --reverse FILE'`,
    ],
    // One verdict for text, whatever its size.
    [
      ["who", short],
      `${as(short)}it is text (no NUL byte; printable UTF-8 lines); pass the path of a login-record file`,
    ],
    [
      ["who", services],
      `${as(services)}it is text (no NUL byte; printable UTF-8 lines); pass the path of a login-record file`,
    ],
    [
      ["last", "-f", short],
      `${as(short)}it is text (no NUL byte; printable UTF-8 lines); pass the path of a login-record file`,
    ],
    // A database given to a command that does not read it: the command that does.
    ...[["dump", wtmpdb], ["lastb", "-f", wtmpdb], ["watch", wtmpdb]].map((argv): [string[], string] => [
      argv,
      `${as(wtmpdb)}it is a wtmpdb database (SQLite, with wtmpdb's table wtmp); read it with 'utmp last -f FILE'`,
    ]),
    [
      ["lastlog", "--file", wtmpdb],
      `${
        as(wtmpdb, "a lastlog")
      }it is a wtmpdb database (SQLite, with wtmpdb's table wtmp); read it with 'utmp last -f FILE'`,
    ],
    ...[["who", lastlog2], ["users", lastlog2], ["last", "-f", lastlog2], ["dump", lastlog2]].map((
      argv,
    ): [string[], string] => [
      argv,
      `${
        as(lastlog2)
      }it is a lastlog2 database (SQLite, with lastlog2's table Lastlog2); read it with 'utmp lastlog --file FILE'`,
    ]),
  ];
  for (const [argv, message] of cases) {
    assert.deepEqual(await ours(argv), { code: 1, out: "", err: `utmp ${argv[0]}: ${message}\n` }, argv.join(" "));
  }
  // What reads each database does read it (where the runtime has SQLite: not Node 20): no refusal. The refusals
  // above need none: the first page of the file says what it is.
  if (HAS_SQLITE) {
    assert.deepEqual(await ours(["users", wtmpdb]), { code: 0, out: "alice\n", err: "" });
    const lastlog = await ours(["lastlog", "--file", lastlog2, "-u", "root"]);
    assert.doesNotMatch(lastlog.err, /Cannot read/);
  }
  // The library's own words for the same files (the layout option, the sources), never the command line's.
  await assert.rejects(async () => {
    for await (const _ of new UtmpFile(bz2)) { /* refused before the first record */ }
  }, (e) => e instanceof UtmpFormatError && e.refusal?.content === "bzip2" && /bzcat FILE > COPY$/.test(e.message));
  await assert.rejects(
    async () => {
      for await (const _ of new UtmpFile(wtmpdb)) { /* refused */ }
    },
    (e) =>
      e instanceof UtmpFormatError &&
      /; read it with source "wtmpdb" \(history\(\), lastSessions\(\)\)$/.test(e.message),
  );
});
