/**
 * Issue 24's `Root`: the attacks a tree mounted as `--root` can make, each
 * built and its safe outcome asserted. A file the chooser picks under the
 * root that is a link out of it (absolute, or climbing with ".."), a link
 * at a middle component, a link put over a chosen file after the choice, a
 * FIFO where the password file or login.defs should be: nothing outside the
 * root is opened (a FIFO there notices any open), and nothing hangs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, constants, existsSync, mkdirSync, openSync, renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { history, sessions, UtmpFile, UtmpFileError } from "../../mod.ts";
import { chooseSource } from "../../src/sources/mod.ts";
import { wtmpdbRecords } from "../../src/sources/wtmpdb.ts";
import { Root } from "../../src/sources/_root.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { ours } from "../cli/_run.ts";
import { HAS_SQLITE, writeWtmpdb } from "../sources/_build.ts";

const onLinux = { ignore: process.platform !== "linux" };

/**
 * A FIFO outside the root that tells whether anything opened it: a writer
 * waits on it (an open for writing blocks until a reader opens the FIFO),
 * then leaves a mark.
 */
class Tripwire {
  readonly path: string;
  readonly #mark: string;
  readonly #writer: ChildProcess;
  readonly #exited: Promise<void>;

  constructor(path: string) {
    this.path = path;
    this.#mark = `${path}.opened`;
    execFileSync("mkfifo", [path]);
    this.#writer = spawn("sh", ["-c", 'exec 3>"$1"; : > "$2"', "sh", path, this.#mark], { stdio: "ignore" });
    this.#exited = new Promise((done) => this.#writer.once("exit", () => done()));
  }

  /** Whether the FIFO was opened (after a moment for the writer to leave its mark). */
  async opened(): Promise<boolean> {
    await new Promise((done) => setTimeout(done, 200));
    return existsSync(this.#mark);
  }

  /** Lets the writer go: the FIFO opened here, once, without blocking. */
  async release(): Promise<void> {
    if (this.#writer.exitCode === null) closeSync(openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK));
    await this.#exited;
  }
}

/** wtmp bytes holding one login of `user`. */
function wtmpOf(user: string): Uint8Array {
  return encodeRecords(LAYOUTS.linux, [
    { ut_type: "USER_PROCESS", ut_pid: 7, ut_line: "pts/0", ut_id: "ts/0", ut_user: user, tv_sec: 1700000000 },
  ]);
}

/** The users of what `read` yields, or the code it fails with. */
async function users(read: () => AsyncIterable<{ ut_user: string }>): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const u of read()) out.push(u.ut_user);
  } catch (error) {
    out.push(error instanceof UtmpFileError ? error.code : String(error));
  }
  return out;
}

test(
  "under --root, a wtmp, utmp or wtmpdb that links out of the root, absolutely or by '..', is not there: never opened",
  async () => {
    using t = tempDir();
    const wires: Tripwire[] = [];
    try {
      const root = join(t.dir, "r");
      mkdirSync(join(root, "var/log"), { recursive: true });
      mkdirSync(join(root, "run"), { recursive: true });
      mkdirSync(join(root, "var/lib/wtmpdb"), { recursive: true });
      symlinkSync("/run", join(root, "var/run"));
      const wire = (name: string) => {
        const w = new Tripwire(t.file(name));
        wires.push(w);
        return w;
      };
      const wtmp = wire("host-wtmp");
      const utmp = wire("host-utmp");
      wire("host-wtmp.db"); // reached by the wtmpdb's ".." link below
      // Absolute links to the host's files; the wtmpdb's by climbing out with "..".
      symlinkSync(wtmp.path, join(root, "var/log/wtmp"));
      symlinkSync(utmp.path, join(root, "run/utmp"));
      symlinkSync("../../../../../../../../../../../host-wtmp.db", join(root, "var/lib/wtmpdb/wtmp.db"));
      // Resolved inside the root: the link targets are paths of the tree, where there is nothing.
      const none = await chooseSource("history", { root }).catch((e) => e);
      assert.ok(none instanceof UtmpFileError && none.code === "ENOENT", String(none));
      assert.deepEqual(none.lookedAt, [join(root, wtmp.path), join(root, "host-wtmp.db")]);
      const last = await ours(["--root", root, "last"]);
      assert.equal(last.code, 1, last.out);
      assert.match(last.err, /\(ENOENT\)|no wtmp/);
      const who = await ours(["--root", root, "who", "-a"]);
      assert.equal(who.out, "");
      // Each asked for by name: the same, nothing there.
      assert.deepEqual(await users(() => sessions({ root, source: "utmp" })), ["ENOENT"]);
      assert.deepEqual(await users(() => sessions({ root, source: "wtmpdb" })), ["ENOENT"]);
      assert.deepEqual(await users(() => history({ root, source: "wtmp" })), ["ENOENT"]);
      for (const w of wires) assert.equal(await w.opened(), false, `${w.path} opened`);
    } finally {
      for (const w of wires) await w.release();
    }
  },
  onLinux,
);

test("under --root, a link at a middle component is followed inside the root, never out of it", async () => {
  using t = tempDir();
  let wire: Tripwire | undefined;
  try {
    const root = join(t.dir, "r");
    const outside = join(t.dir, "host-log");
    mkdirSync(outside);
    wire = new Tripwire(join(outside, "wtmp"));
    mkdirSync(join(root, "var"), { recursive: true });
    // The tree's /var/log is the host's directory, by its absolute path: in the tree, a directory of its own.
    symlinkSync(outside, join(root, "var/log"));
    mkdirSync(join(root, outside), { recursive: true });
    const inside = join(root, outside, "wtmp");
    execFileSync("sh", ["-c", 'cat > "$1"', "sh", inside], { input: wtmpOf("inside") });
    const chosen = await chooseSource("history", { root });
    assert.deepEqual([chosen.source, chosen.path, chosen.name], ["wtmp", inside, "/var/log/wtmp"]);
    assert.equal(chosen.root.noFollow, true);
    assert.deepEqual(await users(() => history({ root })), ["inside"]);
    const last = await ours(["--root", root, "last"]);
    assert.equal(last.code, 0, last.err);
    assert.match(last.out, /^inside /);
    assert.equal(await wire.opened(), false, "the host's wtmp opened");
  } finally {
    await wire?.release();
  }
}, onLinux);

test(
  "a chosen wtmp replaced by a link after the choice: the chosen root's opens refuse it (ELOOP), never opening it",
  async () => {
    using t = tempDir();
    let wire: Tripwire | undefined;
    try {
      const root = join(t.dir, "r");
      mkdirSync(join(root, "var/log"), { recursive: true });
      const path = join(root, "var/log/wtmp");
      execFileSync("sh", ["-c", 'cat > "$1"', "sh", path], { input: wtmpOf("inside") });
      const chosen = await chooseSource("history", { root });
      assert.equal(chosen.path, path);
      wire = new Tripwire(t.file("host-wtmp"));
      symlinkSync(wire.path, `${path}.new`);
      renameSync(`${path}.new`, path);
      await assert.rejects(
        () => chosen.root.open(chosen.path),
        (e) => e instanceof UtmpFileError && e.code === "ELOOP",
      );
      assert.deepEqual(await users(() => new UtmpFile(chosen.path, { noFollow: chosen.root.noFollow })), ["ELOOP"]);
      assert.equal(await wire.opened(), false, "the host's wtmp opened");
      // The same file named by the caller is the caller's own: opened through the link (the tripwire works).
      assert.equal((await chooseSource("history", { path })).root, Root.here);
      assert.equal(await wire.opened(), true, "a path given is opened as given");
    } finally {
      await wire?.release();
    }
  },
  onLinux,
);

test(
  "a chosen wtmpdb replaced by a link after the choice is refused (ELOOP), the host's database never opened",
  async () => {
    using t = tempDir();
    let wire: Tripwire | undefined;
    try {
      const root = join(t.dir, "r");
      mkdirSync(join(root, "var/lib/wtmpdb"), { recursive: true });
      const path = join(root, "var/lib/wtmpdb/wtmp.db");
      writeWtmpdb(path, [{
        Type: 3,
        User: "inside",
        Login: 1700000000000000,
        Logout: null,
        TTY: "pts/0",
        RemoteHost: null,
        Service: null,
      }]);
      const chosen = await chooseSource("history", { root });
      assert.deepEqual([chosen.source, chosen.path], ["wtmpdb", path]);
      wire = new Tripwire(t.file("host-wtmp.db"));
      symlinkSync(wire.path, `${path}.new`);
      renameSync(`${path}.new`, path);
      assert.deepEqual(await users(() => wtmpdbRecords(chosen.path, { noFollow: chosen.root.noFollow })), ["ELOOP"]);
      assert.equal(await wire.opened(), false, "the host's database opened");
    } finally {
      await wire?.release();
    }
  },
  { ignore: process.platform !== "linux" || !HAS_SQLITE },
);

test(
  "under --root, a FIFO as the password file or login.defs lists no one at once; a passwd linking out is not opened",
  async () => {
    using t = tempDir();
    let wire: Tripwire | undefined;
    try {
      const root = join(t.dir, "r");
      mkdirSync(join(root, "etc"), { recursive: true });
      mkdirSync(join(root, "var/log"), { recursive: true });
      execFileSync("sh", ["-c", ': > "$1"', "sh", join(root, "var/log/lastlog")]);
      execFileSync("mkfifo", [join(root, "etc/passwd"), join(root, "etc/login.defs")]);
      const started = Date.now();
      const system = Root.of(root);
      assert.equal((await system.passwd()).length, 0);
      assert.equal(system.passwdSync().length, 0);
      assert.equal(await system.readSmall("/etc/login.defs", 4096), undefined);
      for (const argv of [["lastlog", "-R", root], ["--root", root, "lastlog"]]) {
        const ran = await ours(argv);
        assert.deepEqual([ran.code, ran.out, ran.err], [0, "", ""], argv.join(" "));
      }
      assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
      // A password file that is a link to the host's: resolved in the tree, where there is none.
      wire = new Tripwire(t.file("host-passwd"));
      execFileSync("rm", [join(root, "etc/passwd")]);
      symlinkSync(wire.path, join(root, "etc/passwd"));
      assert.equal((await system.passwd()).length, 0);
      const ran = await ours(["lastlog", "-R", root]);
      assert.deepEqual([ran.code, ran.out], [0, ""]);
      assert.equal(await wire.opened(), false, "the host's password file opened");
    } finally {
      await wire?.release();
    }
  },
  onLinux,
);

test("Root.of() decides once what a real root is: any directory but '/' (and '' or none, this system's)", () => {
  for (const dir of [undefined, "", "/", "//", "/.", "/tmp/.."]) {
    assert.equal(Root.of(dir), Root.here, String(dir));
  }
  const root = Root.of("/tmp/x/../y");
  assert.deepEqual([root.dir, root.confines, root.noFollow], ["/tmp/y", true, true]);
  assert.deepEqual([Root.here.confines, Root.here.noFollow], [false, false]);
  assert.equal(Root.opening(true), Root.resolved);
  assert.equal(Root.opening(false), Root.here);
  assert.equal(Root.resolved.pathSync("/var/log/wtmp"), "/var/log/wtmp");
});
