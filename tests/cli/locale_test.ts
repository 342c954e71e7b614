/**
 * The locale as glibc's `setlocale(LC_ALL, "")` decides it, against the
 * tools that call it: coreutils `who` (its time column is `%b %e %H:%M` in
 * the C locale, ISO otherwise) and util-linux `last` (UTF-8 names print as
 * they are in a UTF-8 locale, escaped in C), run with the same environment
 * as ours. Locales are installed for the test with `localedef`: into a
 * `LOCPATH` directory, and into the locale archive inside a private mount
 * namespace (a tmpfs over /usr/lib/locale), with an alias file of its own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { archiveNames } from "../../src/cli/_locale.ts";
import { cliProgram } from "./_run.ts";

const LOCALE_VARS = ["LANG", "LANGUAGE", "LOCPATH", "LC_ALL", "LC_CTYPE", "LC_TIME", "LC_MESSAGES", "LC_PAPER"];

/**
 * The environment with every locale variable empty (unset, for glibc) but
 * TZ=UTC, then `vars`. Empty rather than left out: Deno's `node:child_process`
 * passes a child the parent's variables that `env` leaves out.
 */
function localeEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...process.env as Record<string, string>, TZ: "UTC" };
  for (const name of LOCALE_VARS) env[name] = "";
  return { ...env, ...vars };
}

/**
 * Runs our command line as a program with the locale variables `vars` (and
 * none other); its standard output as a byte string. A child process, not
 * `main()` here: the environment is the process's, and test files running
 * beside this one (`deno test --parallel`) must not see it change.
 */
function oursWith(program: string[], vars: Record<string, string>, argv: string[]): string {
  const ran = spawnSync(program[0]!, [...program.slice(1), ...argv], { env: localeEnv(vars), encoding: "latin1" });
  assert.equal(ran.stderr, "", `utmp ${argv.join(" ")} with ${JSON.stringify(vars)}`);
  assert.equal(ran.status, 0);
  return ran.stdout;
}

/** Runs an installed tool with the locale variables `vars`; its standard output as a byte string. */
function theirsWith(vars: Record<string, string>, cmd: string, args: string[]): string {
  const ran = spawnSync(cmd, args, { env: localeEnv(vars), encoding: "latin1" });
  assert.equal(ran.status, 0, `${cmd} ${args.join(" ")}: ${ran.stderr}`);
  return ran.stdout;
}

/** A wtmp whose users need the locale: a UTF-8 name, a Latin-1 byte, a control byte. */
function wtmpFile(file: (name: string, data: Uint8Array) => string): string {
  const now = 1700000000;
  return file(
    "wtmp",
    encodeRecords(LAYOUTS.linux, [
      { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: now },
      {
        ut_type: "USER_PROCESS",
        ut_pid: 10,
        ut_line: "pts/0",
        ut_id: "ts/0",
        ut_user: "jürgen",
        ut_host: "ö.example",
        tv_sec: now + 60,
      },
      { ut_type: "USER_PROCESS", ut_pid: 11, ut_line: "pts/1", ut_id: "ts/1", ut_user: "x\u0007y", tv_sec: now + 70 },
      { ut_type: "DEAD_PROCESS", ut_pid: 10, ut_line: "pts/0", ut_id: "ts/0", tv_sec: now + 600 },
    ]),
  );
}

const canLocaledef = process.platform === "linux" &&
  spawnSync("localedef", ["--help"]).status === 0 && existsSync("/usr/share/i18n/locales/en_US");

test(
  "main() who and last decide the locale as setlocale() does, for installed, missing and malformed names (LOCPATH)",
  () => {
    using tmp = tempDir();
    const locales = join(tmp.dir, "locales");
    mkdirSync(locales);
    const made = spawnSync("localedef", ["-i", "en_US", "-f", "UTF-8", join(locales, "en_US.UTF-8")], {
      encoding: "utf8",
    });
    assert.ok(existsSync(join(locales, "en_US.UTF-8", "LC_TIME")), `localedef: ${made.stderr}`);
    const wtmp = wtmpFile(tmp.file);
    const program = cliProgram(tmp.dir);
    const cases: Record<string, string>[] = [
      {},
      { LANG: "en_US.UTF-8" }, // installed: ISO times, UTF-8 names
      { LANG: "en_US.utf8" }, // not a name of the directory, nor less specific than one: C
      { LANG: "en_US.UTF-8@euro" }, // the modifier dropped finds it
      { LANG: "en_US" }, // less specific than what is installed: C
      { LANG: "en_GB.UTF-8" }, // not installed: C, as coreutils falls back
      { LANG: "C.UTF-8", LC_TIME: "en_GB.UTF-8" }, // one category not installed: every category C
      { LANG: "en_US.UTF-8", LC_PAPER: "zz_ZZ" },
      { LC_ALL: "en_US.UTF-8", LC_TIME: "zz_ZZ" }, // LC_ALL wins
      { LC_ALL: "", LANG: "en_US.UTF-8" }, // empty is unset
      { LC_ALL: "C", LANG: "en_US.UTF-8" },
      { LANG: "POSIX" },
      { LANG: join(locales, "en_US.UTF-8") }, // a path: glibc never finds it
      { LANG: "../en_US.UTF-8" },
      { LANG: "c.utf8" }, // names are case-sensitive
      { LANG: "C.utf-8" }, // codesets are not: C.utf8 (glibc >= 2.35 ships it in /usr/lib/locale)
      { LANG: "C.UTF-8", LC_CTYPE: "C" }, // ISO times, escaped names
    ];
    const seen = new Set<string>();
    for (const vars of cases) {
      const env = { ...vars, LOCPATH: locales };
      for (const [tool, args] of [["who", [wtmp]], ["last", ["-f", wtmp]]] as const) {
        const theirs = theirsWith(env, tool, [...args]);
        assert.equal(oursWith(program, env, [tool, ...args]), theirs, `${tool} with ${JSON.stringify(vars)}`);
        seen.add(`${tool}:${theirs}`);
      }
    }
    // who's C and ISO time columns, last's escaped and UTF-8 names.
    assert.equal(seen.size, 4, "the cases cover both outputs of who and of last");
  },
  { ignore: !canLocaledef },
);

const canUnshare = canLocaledef && process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;

test(
  "archiveNames() reads the names locale -a lists from the locale archive, and main() finds locales and aliases there as glibc does",
  () => {
    using tmp = tempDir();
    const wtmp = wtmpFile(tmp.file);
    const program = cliProgram(tmp.dir);
    const archive = join(tmp.dir, "locale-archive"); // a copy of the namespace's archive, for archiveNames()
    const aliases = join(tmp.dir, "share-locale");
    mkdirSync(aliases);
    // An alias to an archived locale, and one to a missing one (glibc matches aliases without regard to case).
    writeFileSync(join(aliases, "locale.alias"), "# test aliases\nmyalias\ten_US.UTF-8\nghost  xx_XX.UTF-8\n");
    // In an 8-bit locale util-linux prints Latin-1 bytes as they are, where careful() escapes each byte not UTF-8:
    // who only there.
    const latin1 = new Set(["de_DE", "de_DE.ISO-8859-1"]);
    const lang = [
      "en_US.UTF-8",
      "en_US.utf8",
      "en_US",
      "de_DE",
      "de_DE.ISO-8859-1",
      "en_GB.UTF-8",
      "myalias",
      "MyAlias",
      "ghost",
    ];
    const probes = lang.flatMap((l) => [
      `echo "== who ${l}"; env -i TZ=UTC LANG=${l} who "${wtmp}"`,
      `echo "== ours who ${l}"; env -i TZ=UTC LANG=${l} PATH="$PATH" ${
        program.map((a) => `"${a}"`).join(" ")
      } who "${wtmp}"`,
      `echo "== last ${l}"; env -i TZ=UTC LANG=${l} last -f "${wtmp}"`,
      `echo "== ours last ${l}"; env -i TZ=UTC LANG=${l} PATH="$PATH" ${
        program.map((a) => `"${a}"`).join(" ")
      } last -f "${wtmp}"`,
    ]);
    const script = [
      "set -e",
      "mount -t tmpfs none /usr/lib/locale",
      `cp -a "${tmp.dir}/C.utf8" /usr/lib/locale/C.utf8`,
      "localedef -i en_US -f UTF-8 en_US.UTF-8",
      "localedef -i de_DE -f ISO-8859-1 de_DE",
      `mount --bind "${aliases}/locale.alias" /usr/share/locale/locale.alias`,
      `cp /usr/lib/locale/locale-archive "${archive}"`,
      'echo "== locale -a"; locale -a',
      ...probes,
    ].join("\n");
    cpSync("/usr/lib/locale/C.utf8", join(tmp.dir, "C.utf8"), { recursive: true });
    const ran = spawnSync("unshare", ["-m", "sh", "-c", script], { encoding: "latin1", env: localeEnv({}) });
    assert.equal(ran.status, 0, ran.stderr);
    const sections = new Map<string, string>();
    for (const part of ran.stdout.split(/^== /m).slice(1)) {
      const nl = part.indexOf("\n");
      sections.set(part.slice(0, nl), part.slice(nl + 1));
    }
    const listed = sections.get("locale -a")!.split("\n").filter((l) => l !== "");
    assert.deepEqual(listed, ["C", "C.utf8", "POSIX", "de_DE", "de_DE.iso88591", "en_US.utf8"]);
    assert.deepEqual([...archiveNames(archive)].sort(), ["de_DE", "de_DE.iso88591", "en_US.utf8"]);
    assert.deepEqual(archiveNames(join(tmp.dir, "none")), new Set());
    const outputs = new Set<string>();
    for (const l of lang) {
      for (const tool of latin1.has(l) ? ["who"] : ["who", "last"]) {
        const theirs = sections.get(`${tool} ${l}`);
        assert.ok(theirs !== undefined && theirs !== "", `${tool} ${l} printed`);
        assert.equal(sections.get(`ours ${tool} ${l}`), theirs, `${tool} with LANG=${l}`);
        outputs.add(`${tool}:${theirs}`);
      }
    }
    // What glibc made of each name: the archive's en_US.utf8 for en_US.UTF-8, en_US.utf8 and both spellings of the
    // alias; C for en_US (not archived), en_GB.UTF-8 and the alias to a missing locale.
    const iso = sections.get("who en_US.UTF-8")!;
    const c = sections.get("who en_GB.UTF-8")!;
    assert.notEqual(iso, c);
    for (const l of ["en_US.utf8", "myalias", "MyAlias", "de_DE"]) assert.equal(sections.get(`who ${l}`), iso, l);
    for (const l of ["en_US", "ghost"]) assert.equal(sections.get(`who ${l}`), c, l);
    assert.equal(outputs.size, 4);
  },
  { ignore: !canUnshare },
);
