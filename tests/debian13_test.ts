/**
 * `utmp who`, `users`, `w`, `who()`, `loggedIn()` and `watch()` over
 * systemd-logind's sessions against Debian 13's own tools (coreutils 9.7,
 * procps 4.0.4), run in the Debian 13 root over the same crafted session
 * files, led by live processes and real ptys (_debian13_scene.ts, in a
 * private mount namespace). Without the root these tests fail, saying why.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { debian13, inDebian13Namespace } from "./_debian13.ts";
// The scene runs in a child process; importing its types also puts it in the npm build's tests.
import type { SceneChecks } from "./_debian13_scene.ts";

type Check = SceneChecks[number];

let scene: { checks: Check[] } | { error: unknown } | undefined;

/** The scene's checks, run once for every test here. */
function checks(): Check[] {
  if (scene === undefined) {
    try {
      scene = { checks: inDebian13Namespace<SceneChecks>(new URL("./_debian13_scene.ts", import.meta.url)) };
    } catch (error) {
      scene = { error };
    }
  }
  if ("error" in scene) throw scene.error;
  return scene.checks;
}

/** Asserts the scene's checks whose names match. */
function expectAll(match: RegExp): void {
  const chosen = checks().filter((c) => match.test(c.name));
  assert.ok(chosen.length > 0, `the scene has checks matching ${match}`);
  for (const c of chosen) assert.deepEqual(c.actual, c.expected, c.name);
}

test("main() who prints what Debian 13's who prints over logind, in every mode (-a -b -q -u -H -l -s -T -r -d)", () => {
  expectAll(/^utmp who/);
});

test("main() users prints what Debian 13's users prints over logind", () => {
  expectAll(/^utmp users/);
});

test("main() w prints what Debian 13's w prints over logind, with each option and width", () => {
  expectAll(/^utmp w /);
});

test("who() yields the sessions Debian 13's who lists, TTY-less and seat+tty ones included", () => {
  expectAll(/^who\(\)/);
});

test("loggedIn() gives Debian 13's w's rows, who's lines, the terminal w finds and its user count", () => {
  expectAll(/^loggedIn\(\)/);
});

test("watch() reports the TTY-less logins Debian 13's who lists", () => {
  expectAll(/^watch\(\)/);
});

test("main() who, w and users over a hostile session file print no control character", () => {
  expectAll(/hostile/);
});

test("debian13() runs a command line of the Debian 13 root over the given /run files", () => {
  const ran = debian13(["cat", "/run/probe"], { files: { "/run/probe": "hello\n" } });
  assert.deepEqual([ran.code, ran.out], [0, "hello\n"]);
  const version = debian13(["who", "--version"]);
  assert.match(version.out, /^who \(GNU coreutils\) 9\.7\n/);
});
