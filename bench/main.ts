/**
 * The benchmark behind `deno task bench`: this library in Deno, Node and Bun
 * against util-linux `utmpdump` and `last`, Debian's `python3-utmp` and
 * Perl's `Sys::Utmp`, on the same 1,000,000-record glibc wtmp (384 MB),
 * written by the project's own encoder (bench/_gen.ts) into bench/out/.
 *
 * Each side is a separate process, run one after another (never two at once:
 * the machine has two cores), round-robin so that a noisy moment spreads over
 * every side; the table gives the median wall time of the runs, the records
 * per second it makes, its ratio to the reference side of its group, and the
 * peak resident memory (`/usr/bin/time`'s maximum RSS) over the runs.
 *
 * - full decode: every field of every record read (`for await` over
 *   `UtmpFile`, bench/workload.js), against `utmpdump FILE`, python3-utmp
 *   and Sys::Utmp reading every field (bench/peers/);
 * - filter: counting USER_PROCESS records without reading a string, through
 *   `for await` and through `batches()`;
 * - last: `utmp last -f FILE` (and with `-F`, and `-w -i -x`) against
 *   util-linux `last` with the same options (same time zone and locale); the
 *   outputs must be byte for byte the same; `dump`, `lastb` and `who` against
 *   `utmpdump`, `lastb` and coreutils `who` the same way;
 * - rotated: `utmp last --rotated` over a set of 4 x 250,000 records (the
 *   oldest gzip) against util-linux `last` given the same four files, one
 *   `-f` each (the gzip decompressed beforehand; and with that decompression);
 * - reachable floors: the plain reference readers of ../shared/perf
 *   (`floor_full_decode.js`, `floor_last.js`), when that folder is there;
 * - floors, in each runtime, with no library code: `for await` over ready-made
 *   objects with a `Date` each (what the full decode cannot go below), and
 *   reading the file into one reused buffer (what the filter cannot go below).
 *
 * The JavaScript sides also report when their first record came out (inside
 * the process, from `new UtmpFile` on).
 *
 * ```sh
 * deno task bench                 # 5 runs per side (3 for the slow peers)
 * deno task bench --runs 9        # more runs
 * deno task bench --large         # also a 10,000,000-record file (3.84 GB; deleted afterwards)
 * deno task bench --only deno,utmpdump   # the sides whose names contain one of these
 * deno task bench --only startup,distinct # the groups of these names (startup, full, filter, last, dump, lastb,
 *                                         # who, rotated, distinct, bruteforce); both kinds may be mixed
 * ```
 *
 * Beside the bench's own file, whose hosts repeat:
 *
 * - distinct: a 500,000-record wtmp where almost every host is a distinct
 *   address (`../shared/perf/gen_distinct_wtmp.py 500000 FILE 1`): full
 *   decode, `last` and `lastb`;
 * - bruteforce: a 1,000,000-record btmp of a brute-force attack (20,000
 *   addresses in bursts, 5,000 names; `../shared/perf/gen_bruteforce_btmp.py`):
 *   full decode and `lastb`;
 * - startup: `utmp who FILE` and `utmp last -f FILE` over a 5-record file,
 *   beside the bare runtime running an empty script and the C tool.
 *
 * Each JavaScript row also says how far its median time and peak RSS are
 * over its bare runtime's (an empty script, measured first).
 *
 * Node and Bun run the npm build (a copy of npm/ in bench/out/), which is
 * rebuilt when a source file is newer. Missing peers are installed with
 * apt-get when running as root (`python3-utmp`, `libsys-utmp-perl`), else
 * left out of the table.
 *
 * @module
 */

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, release } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { writeWtmp } from "./_gen.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const BUN = join(ROOT, "node_modules", ".bin", "bun");
const NODE = "node";
/** The npm build's entry and bin, in the copy {@link ensureNpmBuild} keeps (the entry relative to bench/). */
const NPM_MOD = "./out/npm/esm/mod.js";
const NPM_BIN = "bench/out/npm/esm/bin/utmp.js";
/** Debian's python3, whose dist-packages hold python3-utmp (the PATH's python3 may be another). */
const PYTHON = "/usr/bin/python3";
/** Bump when bench/_gen.ts changes what it writes, so old files are made again. */
const GENERATOR_VERSION = 2;
/** The environment of every side: the same zone and locale for `last` and `utmp last`. */
const ENV = { ...process.env, TZ: "UTC", LC_ALL: "C.UTF-8", NO_COLOR: "1" };

function say(line = ""): void {
  // deno-lint-ignore no-console
  console.log(line);
}

interface Options {
  runs: number;
  peerRuns: number;
  large: boolean;
  /** Side filters: words that are no group's name. */
  only: string[] | undefined;
  /** Groups to run (every group when undefined). */
  groups: Set<string> | undefined;
}

/** The groups `--only` may name. */
const GROUPS = ["startup", "full", "filter", "last", "dump", "lastb", "who", "rotated", "distinct", "bruteforce"];

function parseOptions(args: string[]): Options {
  const options: Options = { runs: 5, peerRuns: 3, large: false, only: undefined, groups: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`Cannot read option "${arg}": it needs a value`);
      return v;
    };
    if (arg === "--runs") options.runs = Number(value());
    else if (arg === "--peer-runs") options.peerRuns = Number(value());
    else if (arg === "--large") options.large = true;
    else if (arg === "--only") {
      const words = value().split(",");
      const groups = words.filter((w) => GROUPS.includes(w));
      const sides = words.filter((w) => !GROUPS.includes(w));
      if (groups.length > 0) options.groups = new Set(groups);
      if (sides.length > 0) options.only = sides;
    } else {throw new Error(
        `Cannot run the benchmark: unknown option "${arg}" (--runs N, --peer-runs N, --large, --only a,b)`,
      );}
  }
  if (!(options.runs >= 1 && options.peerRuns >= 1)) throw new Error("Cannot run the benchmark: --runs must be >= 1");
  return options;
}

/** One side of a group: a command, run in a given process setting. */
interface Side {
  /** Row label. */
  name: string;
  /** What it runs: the command and its arguments. */
  command: string[];
  /** Whether this is the group's reference (ratio 1). */
  reference?: boolean;
  /** Slow peer: fewer runs. */
  slow?: boolean;
  /** Where standard output goes: "json" (captured, one JSON line), "discard", or a file to compare. */
  stdout: "json" | "discard" | { file: string };
  /** The JavaScript runtime it runs in: its row says how far it is over that runtime's bare start. */
  runtime?: Runtime;
  /** This side is that runtime running an empty script: in its group, the bare start the others are measured from. */
  bareOf?: Runtime;
}

type Runtime = "Deno" | "Node" | "Bun";

/** The bare runtimes' median time and peak RSS (KiB), running an empty script: see {@link measureBare}. */
const BARE = new Map<Runtime, { ms: number; rssKiB: number }>();

interface Group {
  title: string;
  /** What "records/s" counts for this group (0: no rate, as for start-up). */
  records: number;
  sides: Side[];
}

interface Run {
  ms: number;
  rssKiB: number;
  json?: { records: number; check: number; first?: number };
  outputHash?: string;
}

function run(side: Side): Run {
  const timeFile = join(OUT, "time.txt");
  let out: number | "pipe" | "ignore" = "ignore";
  if (side.stdout === "json") out = "pipe";
  else if (side.stdout !== "discard") out = openSync(side.stdout.file, "w");
  const started = performance.now();
  let result: SpawnSyncReturns<Buffer>;
  try {
    result = spawnSync("/usr/bin/time", ["-f", "%M", "-o", timeFile, ...side.command], {
      cwd: ROOT,
      env: ENV,
      stdio: ["ignore", out, "pipe"],
      maxBuffer: 1 << 26,
    });
  } finally {
    if (typeof out === "number") closeSync(out);
  }
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`Cannot run ${side.name} (${side.command.join(" ")}): exit ${result.status}\n${result.stderr}`);
  }
  const rssKiB = Number(readFileSync(timeFile, "utf8").trim().split("\n").at(-1));
  const done: Run = { ms, rssKiB };
  if (side.stdout === "json") done.json = JSON.parse(String(result.stdout).trim().split("\n").at(-1)!);
  else if (side.stdout !== "discard") {
    done.outputHash = createHash("sha256").update(readFileSync(side.stdout.file)).digest("hex");
  }
  return done;
}

/** The three runtimes running an empty script. */
function bareSides(): Side[] {
  const empty = join(OUT, "empty.js");
  writeFileSync(empty, "");
  return [
    {
      name: "Deno, an empty script (`deno run -A`)",
      command: [DENO, "run", "-A", empty],
      stdout: "discard",
      bareOf: "Deno",
    },
    { name: "Node, an empty script", command: [NODE, empty], stdout: "discard", bareOf: "Node" },
    { name: "Bun, an empty script", command: [BUN, empty], stdout: "discard", bareOf: "Bun" },
  ];
}

/** Measures the bare runtimes (quietly) into {@link BARE}, for the "over bare runtime" column. */
function measureBare(options: Options): void {
  const sides = bareSides();
  const runtimes: Runtime[] = ["Deno", "Node", "Bun"];
  const runs = sides.map(() => [] as Run[]);
  for (const side of sides) run(side);
  for (let round = 0; round < options.runs; round++) sides.forEach((side, i) => runs[i]!.push(run(side)));
  sides.forEach((_, i) => {
    BARE.set(runtimes[i]!, {
      ms: median(runs[i]!.map((r) => r.ms)),
      rssKiB: Math.max(...runs[i]!.map((r) => r.rssKiB)),
    });
  });
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs every side of a group round-robin and prints its table. */
function measure(group: Group, options: Options): void {
  const sides = group.sides.filter((s) =>
    s.reference || options.only === undefined ||
    options.only.some((o) => s.name.toLowerCase().includes(o.toLowerCase()))
  );
  const runs = new Map<Side, Run[]>(sides.map((s) => [s, []]));
  const rounds = Math.max(options.runs, options.peerRuns);
  // One warm-up run of each JavaScript side fills the runtime's code cache and the page cache.
  for (const side of sides) if (!side.slow) run(side);
  for (let round = 0; round < rounds; round++) {
    for (const side of sides) {
      if (round >= (side.slow ? options.peerRuns : options.runs)) continue;
      runs.get(side)!.push(run(side));
      process.stderr.write(".");
    }
  }
  process.stderr.write("\n");
  // The bare runtimes of this group, run in the same rounds, else those measured at the start.
  const bares = new Map(BARE);
  for (const side of sides) {
    if (side.bareOf === undefined) continue;
    const done = runs.get(side)!;
    bares.set(side.bareOf, { ms: median(done.map((r) => r.ms)), rssKiB: Math.max(...done.map((r) => r.rssKiB)) });
  }
  const reference = sides.find((s) => s.reference);
  const referenceMs = reference === undefined ? undefined : median(runs.get(reference)!.map((r) => r.ms));
  const referenceHash = reference === undefined ? undefined : runs.get(reference)![0]!.outputHash;
  say(`\n#### ${group.title}\n`);
  const compare = referenceHash !== undefined;
  const first = sides.some((s) => s.stdout === "json");
  const bare = sides.some((s) => s.runtime !== undefined && bares.has(s.runtime));
  say(
    `| side | median | records/s | ratio | peak RSS |${bare ? " over bare runtime |" : ""}${
      first ? " first record |" : ""
    }${compare ? " same output |" : ""}`,
  );
  say(`| --- | ---: | ---: | ---: | ---: |${bare ? " ---: |" : ""}${first ? " ---: |" : ""}${compare ? " --- |" : ""}`);
  for (const side of sides) {
    const done = runs.get(side)!;
    const ms = median(done.map((r) => r.ms));
    const rss = Math.max(...done.map((r) => r.rssKiB)) / 1024;
    const checks = new Set(done.map((r) => r.json?.check));
    if (checks.size > 1) throw new Error(`Cannot trust ${side.name}: its runs disagree (${[...checks].join(", ")})`);
    const rate = group.records / (ms / 1000);
    const ratio = referenceMs === undefined ? "" : `${(ms / referenceMs).toFixed(2)}x`;
    let row = `| ${side.name} | ${(ms / 1000).toFixed(3)} s | ${
      group.records === 0 ? "" : formatRate(rate)
    } | ${ratio} | ${rss.toFixed(0)} MiB |`;
    if (bare) {
      const base = side.runtime === undefined ? undefined : bares.get(side.runtime);
      row += base === undefined
        ? " |"
        : ` +${(ms - base.ms).toFixed(0)} ms, +${(rss - base.rssKiB / 1024).toFixed(0)} MiB |`;
    }
    if (first) {
      const firsts = done.map((r) => r.json?.first).filter((f): f is number => f !== undefined);
      row += firsts.length === 0 ? " |" : ` ${median(firsts).toFixed(1)} ms |`;
    }
    if (compare) {
      if (typeof side.stdout !== "object") row += " |";
      else row += done.every((r) => r.outputHash === referenceHash) ? " yes |" : " **NO** |";
    }
    say(row);
  }
}

function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : `${(perSecond / 1e3).toFixed(0)} k`;
}

/** The JavaScript sides of a workload mode, in Deno, Node and Bun; with `reuse`, the file has `reuseBuffers: true`. */
function jsSides(mode: string, file: string, label: string, reuse = false): Side[] {
  const args = [mode, file, ...(reuse ? ["reuse"] : [])];
  const name = (runtime: string): string => `${runtime} ${label}${reuse ? ", `reuseBuffers`" : ""}`;
  return [
    {
      name: name("Deno"),
      command: [DENO, "run", "-A", "bench/workload.js", "../mod.ts", ...args],
      stdout: "json",
      runtime: "Deno",
    },
    { name: name("Node"), command: [NODE, "bench/workload.js", NPM_MOD, ...args], stdout: "json", runtime: "Node" },
    { name: name("Bun"), command: [BUN, "bench/workload.js", NPM_MOD, ...args], stdout: "json", runtime: "Bun" },
  ];
}

/** `utmp ARGS` in Deno, Node and Bun, each writing its output to `out(runtime)` to be compared. */
function cliSides(args: string[], out: (name: string) => string): Side[] {
  const denoFlags = ["--allow-read", "--allow-env", "--allow-sys"];
  const label = `\`utmp ${args.filter((a) => !a.startsWith("/") && !a.includes("wtmp-")).join(" ")}\``;
  return [
    {
      name: `Deno ${label}`,
      command: [DENO, "run", ...denoFlags, "src/cli/main.ts", ...args],
      stdout: { file: out("deno") },
      runtime: "Deno",
    },
    { name: `Node ${label}`, command: [NODE, NPM_BIN, ...args], stdout: { file: out("node") }, runtime: "Node" },
    { name: `Bun ${label}`, command: [BUN, NPM_BIN, ...args], stdout: { file: out("bun") }, runtime: "Bun" },
  ];
}

/**
 * The plain reference readers of ../shared/perf (when that folder is there):
 * measuring tools that know one layout and skip every check the library
 * makes, as "reachable floor" rows beside ours.
 */
const PERF = join(ROOT, "..", "shared", "perf");

function floorSides(script: string, file: string, label: string): Side[] {
  const path = join(PERF, script);
  if (!existsSync(path)) return [];
  return [
    { name: `Deno ${label}`, command: [DENO, "run", "-A", path, file], stdout: "discard", runtime: "Deno" },
    { name: `Node ${label}`, command: [NODE, path, file], stdout: "discard", runtime: "Node" },
    { name: `Bun ${label}`, command: [BUN, path, file], stdout: "discard", runtime: "Bun" },
  ];
}

function has(command: string, args: string[] = ["--version"]): boolean {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

/** Finds the peers, installing the Debian packages when missing (as root). */
function peers(): { python: boolean; perl: boolean } {
  const probe = () => ({
    python: has(PYTHON, ["-c", "import utmp"]),
    perl: has("perl", ["-MSys::Utmp", "-e", "1"]),
  });
  let found = probe();
  if ((!found.python || !found.perl) && process.getuid?.() === 0 && has("apt-get", ["--version"])) {
    say("Installing python3-utmp and libsys-utmp-perl with apt-get ...");
    spawnSync("apt-get", ["install", "-y", "python3-utmp", "libsys-utmp-perl"], { stdio: "inherit" });
    found = probe();
  }
  return found;
}

/**
 * The npm build the Node and Bun sides run: a copy of npm/ in bench/out/,
 * so that another build of npm/ (tests, other work in the checkout) cannot
 * pull it away mid-run. Built and copied again when a source file is newer.
 */
function ensureNpmBuild(): void {
  const snapshot = join(OUT, "npm");
  const newest = (path: string): number => {
    if (!statSync(path).isDirectory()) return statSync(path).mtimeMs;
    return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
  };
  const sources = Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "mod.ts")));
  const fresh = (dir: string): boolean =>
    existsSync(join(dir, "esm", "mod.js")) && statSync(join(dir, "esm", "mod.js")).mtimeMs >= sources;
  if (fresh(snapshot)) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!fresh(join(ROOT, "npm"))) {
      say("Building the npm package (deno task build:npm) ...");
      const result = spawnSync(DENO, ["task", "build:npm"], { cwd: ROOT, stdio: "inherit" });
      if (result.status !== 0) throw new Error("Cannot build npm/: deno task build:npm failed");
    }
    try {
      rmSync(snapshot, { recursive: true, force: true });
      cpSync(join(ROOT, "npm"), snapshot, { recursive: true });
      if (fresh(snapshot)) return;
    } catch {
      // npm/ was being rebuilt by someone else: build and copy again
    }
  }
  throw new Error("Cannot copy npm/ to bench/out/npm: it kept changing while being copied");
}

/** Writes the benchmark file unless an identical one is there (same generator, same count). */
function ensureFile(name: string, records: number): string {
  const path = join(OUT, name);
  const stamp = `${path}.stamp`;
  const want = `generator ${GENERATOR_VERSION}, ${records} records`;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return path;
  process.stderr.write(`Writing ${name} (${records} records) ...\n`);
  writeWtmp(path, records);
  writeFileSync(stamp, want);
  return path;
}

function version(command: string, args: string[], pattern: RegExp): string {
  const out = String(spawnSync(command, args).stdout ?? "");
  return pattern.exec(out)?.[1] ?? "?";
}

function machine(): string {
  const debian = existsSync("/etc/debian_version")
    ? `Debian ${readFileSync("/etc/debian_version", "utf8").trim()}`
    : "";
  const cpu = cpus();
  return [
    `${debian} ${String(spawnSync("uname", ["-m"]).stdout).trim()}, Linux ${release()}, ${cpu.length} cores (${
      cpu[0]?.model.trim()
    })`,
    `Deno ${version(DENO, ["--version"], /deno (\S+)/)} (V8 ${version(DENO, ["--version"], /v8 (\S+)/)})`,
    `Node ${version(NODE, ["--version"], /v(\S+)/)}`,
    `Bun ${version(BUN, ["--version"], /(\S+)/)}`,
    `util-linux ${version("last", ["--version"], /util-linux (\S+)/)}`,
  ].join(", ");
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const want = (group: string): boolean => options.groups === undefined || options.groups.has(group);
  mkdirSync(OUT, { recursive: true });
  const found = peers();
  ensureNpmBuild();
  const file = ensureFile("wtmp-1m", 1_000_000);
  const records = 1_000_000;
  say(`\n${machine()}`);
  say(
    `${records.toLocaleString("en")}-record glibc wtmp (${
      statSync(file).size / 1e6
    } MB), ${options.runs} runs per side`,
  );
  measureBare(options);
  if (want("startup")) startup(options);
  if (want("full")) {
    const full: Side[] = [
      { name: "utmpdump (util-linux, C)", command: ["utmpdump", file], reference: true, stdout: "discard" },
      ...jsSides("full", file, "`for await`"),
      ...jsSides("full", file, "`for await`", true),
      ...jsSides("floor-iterate", file, "floor: `for await` + a Date, no decode"),
      ...floorSides("floor_full_decode.js", file, "reachable floor (../shared/perf/floor_full_decode.js)"),
    ];
    if (found.python) {
      full.push({
        name: "python3-utmp",
        command: [PYTHON, "bench/peers/utmp_full.py", file],
        slow: true,
        stdout: "json",
      });
    }
    if (found.perl) {
      full.push({
        name: "Perl Sys::Utmp",
        command: ["perl", "bench/peers/sys_utmp_full.pl", file],
        slow: true,
        stdout: "json",
      });
    }
    measure({ title: "Full decode: every field of every record", records, sides: full }, options);
  }
  if (want("filter")) {
    measure({
      title: "Filter: count USER_PROCESS records, no string read",
      records,
      sides: [
        { name: "utmpdump (util-linux, C)", command: ["utmpdump", file], reference: true, stdout: "discard" },
        ...jsSides("count", file, "`for await`"),
        ...jsSides("count", file, "`for await`", true),
        ...jsSides("batches", file, "`batches()`", true),
        ...jsSides("floor-read", file, "floor: reading the file, no decode"),
      ],
    }, options);
  }
  if (want("last")) {
    for (const flags of [[], ["-F"], ["-w", "-i", "-x"]]) {
      const tag = flags.join("").replaceAll("-", "") || "plain";
      measure(
        lastGroup(`\`last ${[...flags, "-f"].join(" ")}\` over the same file`, file, records, flags, tag),
        options,
      );
    }
  }
  // The other commands over the same file, against their C tools: their time and their peak memory.
  for (
    const [tool, args, name] of [
      ["utmpdump", [file], "dump"],
      ["lastb", ["-f", file], "lastb"],
      ["who", [file], "who"],
    ] as const
  ) {
    if (!want(name)) continue;
    measure({
      title: `\`${tool}\` over the same file`,
      records,
      sides: [
        {
          name: `${tool} (C)`,
          command: [tool, ...args],
          reference: true,
          slow: tool === "who",
          stdout: { file: join(OUT, `${name}.c`) },
        },
        ...cliSides([name, ...args], (runtime) => join(OUT, `${name}.${runtime}`)),
      ],
    }, options);
  }
  if (want("rotated")) rotated(file, options);
  if (want("distinct")) distinct(options);
  if (want("bruteforce")) bruteforce(options);
  if (options.large) large(options);
}

/** `last FLAGS -f FILE` against util-linux, the outputs compared; the reference reader beside it when plain. */
function lastGroup(title: string, file: string, records: number, flags: string[], tag: string): Group {
  return {
    title,
    records,
    sides: [
      {
        name: `util-linux \`${["last", ...flags].join(" ")}\``,
        command: ["last", ...flags, "-f", file],
        reference: true,
        stdout: { file: join(OUT, `last-${tag}.util-linux`) },
      },
      ...cliSides(["last", ...flags, "-f", file], (name) => join(OUT, `last-${tag}.${name}`)),
      ...(flags.length === 0
        ? floorSides("floor_last.js", file, "reachable floor (../shared/perf/floor_last.js)")
        : []),
    ],
  };
}

/** `lastb -f FILE` against util-linux `lastb`, the outputs compared. */
function lastbGroup(title: string, file: string, records: number, tag: string): Group {
  return {
    title,
    records,
    sides: [
      {
        name: "util-linux `lastb`",
        command: ["lastb", "-f", file],
        reference: true,
        stdout: { file: join(OUT, `lastb-${tag}.util-linux`) },
      },
      ...cliSides(["lastb", "-f", file], (name) => join(OUT, `lastb-${tag}.${name}`)),
    ],
  };
}

/** Full decode of FILE: utmpdump, ours in each runtime, and the reference reader in each runtime. */
function fullGroup(title: string, file: string, records: number): Group {
  return {
    title,
    records,
    sides: [
      { name: "utmpdump (util-linux, C)", command: ["utmpdump", file], reference: true, stdout: "discard" },
      ...jsSides("full", file, "`for await`"),
      ...floorSides("floor_full_decode.js", file, "reachable floor (../shared/perf/floor_full_decode.js)"),
    ],
  };
}

/**
 * A file written by one of ../shared/perf's generators (`python3 SCRIPT N FILE [SEED]`), unless an identical
 * one is there; `undefined` (the group left out) when that folder or python3 is missing.
 */
function ensureGenerated(name: string, script: string, args: string[]): string | undefined {
  const path = join(OUT, name);
  const generator = join(PERF, script);
  if (!existsSync(generator)) {
    say(`\nSkipping ${name}: ${generator} is not there`);
    return undefined;
  }
  const stamp = `${path}.stamp`;
  const want = `${script} ${args.join(" ")} ${statSync(generator).mtimeMs}`;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return path;
  process.stderr.write(`Writing ${name} (${script} ${args.join(" ")}) ...\n`);
  const result = spawnSync("python3", [generator, args[0]!, path, ...args.slice(1)], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`Cannot write ${name}: python3 ${generator} failed`);
  writeFileSync(stamp, want);
  return path;
}

/** The 500,000-record wtmp whose hosts almost never repeat: full decode, `last` and `lastb`. */
function distinct(options: Options): void {
  const records = 500_000;
  const file = ensureGenerated("wtmp-distinct", "gen_distinct_wtmp.py", [String(records), "1"]);
  if (file === undefined) return;
  const about = "500,000-record wtmp, almost every host a distinct address";
  measure(fullGroup(`Full decode, ${about}`, file, records), options);
  measure(lastGroup(`\`last -f\`, ${about}`, file, records, [], "distinct"), options);
  measure(lastbGroup(`\`lastb -f\`, ${about}`, file, records, "distinct"), options);
}

/** The 1,000,000-record brute-force btmp (20,000 addresses in bursts, 5,000 names): full decode and `lastb`. */
function bruteforce(options: Options): void {
  const records = 1_000_000;
  const file = ensureGenerated("btmp-bruteforce", "gen_bruteforce_btmp.py", [String(records)]);
  if (file === undefined) return;
  const about = "1,000,000-record brute-force btmp";
  measure(fullGroup(`Full decode, ${about}`, file, records), options);
  measure(lastbGroup(`\`lastb -f\`, ${about}`, file, records, "bruteforce"), options);
}

/**
 * Start-up: `utmp who FILE` and `utmp last -f FILE` over a 5-record file, each beside the bare runtime
 * running an empty script and the C tool (the reference, whose output ours must equal).
 */
function startup(options: Options): void {
  const file = ensureFile("wtmp-5", 5);
  for (const [tool, args] of [["who", [file]], ["last", ["-f", file]]] as const) {
    const c = tool === "who" ? "coreutils `who`" : "util-linux `last`";
    measure({
      title: `Start-up: \`${tool} ${args.length > 1 ? "-f " : ""}FILE\` over a 5-record file`,
      records: 0,
      sides: [
        { name: c, command: [tool, ...args], reference: true, stdout: { file: join(OUT, `start-${tool}.c`) } },
        ...cliSides([tool, ...args], (runtime) => join(OUT, `start-${tool}.${runtime}`)),
        ...bareSides(),
      ],
    }, options);
  }
}

/**
 * A rotated set of 4 x 250,000 records (the oldest member gzip-compressed,
 * as logrotate's `compress` leaves it), cut from the million-record file:
 * `wtmp.3.gz`, `wtmp.2`, `wtmp.1`, `wtmp`; and the oldest decompressed
 * outside the set, for util-linux, which reads no gzip.
 */
function ensureRotatedSet(file: string): { current: string; plain: string[] } {
  const dir = join(OUT, "rotated");
  const per = 250_000 * 384;
  const current = join(dir, "wtmp");
  const oldest = join(OUT, "rotated-wtmp.3");
  const members = [join(dir, "wtmp.3.gz"), join(dir, "wtmp.2"), join(dir, "wtmp.1"), current];
  const stamp = join(OUT, "rotated.stamp");
  const want = `generator ${GENERATOR_VERSION}, 4 x 250000 records`;
  if (!(existsSync(stamp) && readFileSync(stamp, "utf8") === want && members.every((m) => existsSync(m)))) {
    process.stderr.write("Writing the rotated set (4 x 250,000 records, one gzip) ...\n");
    mkdirSync(dir, { recursive: true });
    const bytes = readFileSync(file);
    writeFileSync(oldest, bytes.subarray(0, per));
    const gz = spawnSync("gzip", ["-c", oldest], { maxBuffer: 1 << 28 });
    if (gz.status !== 0) throw new Error(`Cannot gzip ${oldest}: ${gz.stderr}`);
    writeFileSync(members[0]!, gz.stdout);
    for (let i = 1; i < 4; i++) writeFileSync(members[i]!, bytes.subarray(i * per, (i + 1) * per));
    writeFileSync(stamp, want);
  }
  return { current, plain: [current, members[2]!, members[1]!, oldest] };
}

/** `utmp last --rotated` over the set, against util-linux `last` given the same files one `-f` at a time. */
function rotated(file: string, options: Options): void {
  const set = ensureRotatedSet(file);
  const each = set.plain.flatMap((f) => ["-f", f]);
  const gz = join(OUT, "rotated", "wtmp.3.gz");
  const tmp = join(OUT, "rotated-gunzipped");
  measure({
    title: "`last` over a rotated set of 4 x 250,000 records (the oldest gzip)",
    records: 1_000_000,
    sides: [
      // util-linux reads each -f on its own (no pairing across files): the sum of the four, the gzip read beforehand.
      {
        name: "util-linux `last -f wtmp -f wtmp.1 -f wtmp.2 -f wtmp.3`",
        command: ["last", ...each],
        reference: true,
        stdout: "discard",
      },
      {
        name: "`gzip -dc wtmp.3.gz` + util-linux `last -f` x 4",
        command: ["sh", "-c", `gzip -dc '${gz}' > '${tmp}' && last ${each.slice(0, -1).join(" ")} '${tmp}'`],
        stdout: "discard",
      },
      ...cliSides(["last", "--rotated", "-f", set.current], (name) => join(OUT, `last-rotated.${name}`)),
    ],
  }, options);
}

/** The same decode over a file ten times larger: peak memory must not grow with the file. */
function large(options: Options): void {
  const records = 10_000_000;
  const need = records * 384 * 1.1;
  const free = Number(String(spawnSync("df", ["-B1", "--output=avail", OUT]).stdout).trim().split("\n").at(-1));
  if (!(free >= need)) {
    say(
      `\nSkipping the large file: it needs ${(need / 1e9).toFixed(1)} GB and ${OUT} has ${
        (free / 1e9).toFixed(1)
      } GB free`,
    );
    return;
  }
  const path = join(OUT, "wtmp-10m");
  try {
    process.stderr.write("Writing wtmp-10m (10,000,000 records, 3.84 GB) ...\n");
    writeWtmp(path, records);
    const runs = { ...options, runs: Math.min(options.runs, 3) };
    measure({
      title: "Full decode and filter, 10,000,000 records (3.84 GB)",
      records,
      sides: [
        { name: "utmpdump (util-linux, C)", command: ["utmpdump", path], reference: true, stdout: "discard" },
        ...jsSides("full", path, "`for await`"),
        ...jsSides("full", path, "`for await`", true),
        ...jsSides("count", path, "count `for await`"),
        ...jsSides("batches", path, "`batches()`", true),
      ],
    }, runs);
    measure({
      title: "`last -f`, 10,000,000 records",
      records,
      sides: [
        {
          name: "util-linux `last`",
          command: ["last", "-f", path],
          reference: true,
          stdout: { file: join(OUT, "last10m.util-linux") },
        },
        ...cliSides(["last", "-f", path], (name) => join(OUT, `last10m.${name}`)),
      ],
    }, runs);
  } finally {
    rmSync(path, { force: true });
  }
}

main();
