/**
 * Checks the npm package as a user gets it: `npm pack` the built `npm/`,
 * install the tarball into a fresh temporary project, and use it there — an
 * ESM import (Node and Bun), a CommonJS `require()`, a TypeScript consumer
 * type-checked by `tsc`, the `utmp` bin through `npx`, backend "ffi" with the
 * optional koffi and without it — then lint the same tarball with publint and
 * @arethetypeswrong/cli. The login file is written by
 * `utmpdump -r`; `utmpdump` and coreutils `who` are the oracles.
 *
 * Run by `deno task test:npm` on the `npm/` that is there (`deno task test`
 * builds it, and `deno task check:npm` builds it first); not part of the
 * package's own tests, so not compiled into `npm/`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { test } from "../tests/_harness.ts";
import { ORACLE_ENV, run, tempDir, utmpdump, utmpdumpReverse } from "../tests/_util.ts";
import { codeBlocks, runs } from "../tests/_readme.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NPM = join(ROOT, "npm");
const BIN = join(ROOT, "node_modules", ".bin");
/** An `exports` target: a path, or conditions (`import`, `require`, `types`, `default`) down to paths. */
type Target = string | { [condition: string]: Target };

const manifest = JSON.parse(readFileSync(join(NPM, "package.json"), "utf8")) as {
  name: string;
  main: string;
  types: string;
  typesVersions: Record<string, Record<string, string[]>>;
  exports: Record<string, Target>;
  bin: Record<string, string>;
};

/** Every path an `exports` target leads to, under any condition. */
function targets(target: Target): string[] {
  return typeof target === "string" ? [target] : Object.values(target).flatMap(targets);
}

/** TypeScript 5.4, the last release before `require()` of ES modules was understood (5.8), for the consumer checks. */
const OLD_TYPESCRIPT = "5.4.5";

/** A wtmp in utmpdump's text: a boot, two logins (one remote), a logout. */
const WTMP_TEXT = `\
[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T22:00:00,000000+00:00]
[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.0.2.7           ] [192.0.2.7      ] [2023-11-14T22:13:20,123456+00:00]
[7] [01240] [tty1] [bob     ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-15T08:01:02,000000+00:00]
[8] [01234] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2023-11-15T09:00:00,000000+00:00]
`;

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

interface Setup {
  /** The temporary directory holding everything below. */
  tmp: string;
  tarball: string;
  packed: Packed;
  /** A fresh project with the tarball installed, koffi included. */
  consumer: string;
  /** A wtmp written by `utmpdump -r`. */
  wtmp: string;
}

let setup: Setup | undefined;

/** Packs `npm/` and installs the tarball into a fresh project, once for all tests. */
function setUp(): Setup {
  if (setup !== undefined) return setup;
  const tmp = tempDir();
  globalThis.addEventListener("unload", () => tmp[Symbol.dispose]());
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp.dir, NPM])) as Packed[];
  assert.ok(packed, "npm pack wrote no tarball");
  const tarball = join(tmp.dir, packed.filename);
  const consumer = install(join(tmp.dir, "consumer"), tarball);
  setup = { tmp: tmp.dir, tarball, packed, consumer, wtmp: utmpdumpReverse(WTMP_TEXT, tmp.file("wtmp")) };
  return setup;
}

/**
 * Makes a project in `dir` and installs the tarball there with `flags`; adds
 * `read.mjs`, which prints a file's records as utmpdump lines (or the error's
 * name and message): `node read.mjs FILE [BACKEND]`.
 */
function install(dir: string, tarball: string, flags: string[] = []): string {
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  inConsumer(dir, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...flags, tarball]);
  writeFileSync(
    join(dir, "read.mjs"),
    `import { UtmpFile } from "${manifest.name}";
import { formatUtmpdumpLine } from "${manifest.name}/utmpdump";
const [path, backend = "auto"] = process.argv.slice(2);
try {
  for await (const u of new UtmpFile(path, { backend })) console.log(formatUtmpdumpLine(u));
} catch (error) {
  console.log(\`\${error.name}: \${error.message}\`);
}
`,
  );
  return dir;
}

/** `read.mjs` in a project: the lines it prints. */
function read(dir: string, runtime: string, path: string, backend = "auto"): string[] {
  return inConsumer(dir, runtime, ["read.mjs", path, backend]).trimEnd().split("\n");
}

/** Runs a command in the consumer project (with the oracles' TZ=UTC, LC_ALL=C); returns stdout. */
function inConsumer(dir: string, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: dir, env: ORACLE_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs a command that reports problems with its exit code; returns its whole output, or fails with it. */
function lint(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    assert.fail(`${posix.basename(cmd)} reported problems:\n${stdout}${stderr}`);
  }
}

/** `./esm/x.js` or `esm/x.d.ts` -> `esm/x.js`. */
function moduleOf(path: string): string {
  return posix.normalize(path).replace(/\.d\.ts$/, ".js");
}

/** An emitted file of `npm/`, parsed (`.js` as JavaScript, `.d.ts` as declarations). */
function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(NPM, file), "utf8"), ts.ScriptTarget.Latest);
}

/** Relative module specifiers of an emitted file: imports, re-exports, `import()` and `import("...").T` types. */
function relativeImports(file: string): string[] {
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: ts.Node | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = node.moduleSpecifier;
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      specifier = node.arguments[0]; // import("./x.js"), and the CommonJS build's require("./x.js")
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier = node.argument.literal;
    if (specifier !== undefined && ts.isStringLiteral(specifier)) specifiers.push(specifier.text);
    ts.forEachChild(node, visit);
  };
  visit(parse(file));
  return specifiers.filter((s) => s.startsWith("./") || s.startsWith("../"));
}

test("npm pack tarball holds the package's runtime files and nothing else", () => {
  const { packed } = setUp();
  const files = packed.files.map((f) => f.path).sort();
  for (const file of files) {
    assert.doesNotMatch(file, /(^|\/)(tests?|scripts|fixtures)\//, `${file} is a test or script`);
    assert.match(file, /^((esm|script)\/.+\.(js|d\.ts)|script\/package\.json|package\.json|README\.md|LICENSE)$/, file);
    assert.doesNotMatch(file, /\.node\./, `${file} should have replaced its sibling, not ship beside it`);
  }
  // The CommonJS build is one module for each ES module an export reaches, with the same types.
  const esm = files.filter((f) => /^esm\/.+\.js$/.test(f) && !f.startsWith("esm/bin/")).map((f) => f.slice(4));
  const cjs = files.filter((f) => /^script\/.+\.js$/.test(f)).map((f) => f.slice(7));
  assert.deepEqual(cjs, esm);
  for (const file of files.filter((f) => f.startsWith("script/") && f.endsWith(".d.ts"))) {
    assert.equal(readFileSync(join(NPM, file), "utf8"), readFileSync(join(NPM, "esm", file.slice(7)), "utf8"), file);
  }
  // Every module in the tarball is reachable from an export or a bin, through code or types: no stray sources.
  const exports = Object.values(manifest.exports).flatMap(targets).filter((t) => t.endsWith(".js"));
  const reached = new Set<string>();
  for (const queue = [...exports, ...Object.values(manifest.bin)].map(moduleOf); queue.length > 0;) {
    const module = queue.pop()!;
    if (reached.has(module) || !module.endsWith(".js")) continue;
    reached.add(module);
    for (const file of [module, module.replace(/\.js$/, ".d.ts")].filter((f) => files.includes(f))) {
      for (const spec of relativeImports(file)) {
        assert.match(spec, /\.js$/, `${file} imports "${spec}", which Node and tools other than tsc cannot resolve`);
        queue.push(posix.join(posix.dirname(file), spec));
      }
    }
  }
  assert.deepEqual(files.filter((f) => /\.(js|d\.ts)$/.test(f)).map(moduleOf).filter((m) => !reached.has(m)), []);
});

test("npm pack tarball: no module but src/ffi/deno.ts and the runtime edge's FFI gate use Deno.*, so Node's and Bun's path is runtime-neutral", () => {
  const { packed } = setUp();
  const users = packed.files.map((f) => f.path).filter((file) => file.endsWith(".js")).filter((file) => {
    const usesDeno = (node: ts.Node): boolean =>
      (ts.isIdentifier(node) && node.text === "Deno") || ts.forEachChild(node, usesDeno) === true;
    return usesDeno(parse(file));
  });
  const allowed = /^(esm|script)\/src\/(ffi\/deno|_internal\/runtime)\.js$/;
  assert.deepEqual(users.filter((f) => !allowed.test(f)), []);
});

test("npm pack tarball size is the one README states", () => {
  const { packed } = setUp();
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const stated = /(\d+) kB packed/.exec(readme);
  assert.ok(stated, 'README states no "N kB packed" size');
  const kB = packed.size / 1000;
  const unpacked = /\(([\d,]+) kB unpacked\)/.exec(readme);
  assert.ok(unpacked, 'README states no "(N kB unpacked)" size');
  const unpackedKB = Number(unpacked[1]!.replaceAll(",", ""));
  assert.ok(
    Math.abs(packed.unpackedSize / 1000 - unpackedKB) <= Math.max(25, unpackedKB * 0.15),
    `README says ${unpacked[1]} kB unpacked, npm pack makes ${(packed.unpackedSize / 1000).toFixed(0)} kB`,
  );
  assert.ok(
    Math.abs(kB - Number(stated[1])) <= Math.max(5, kB * 0.15),
    `README says ${stated[1]} kB packed, npm pack makes ${
      kB.toFixed(1)
    } kB (${packed.unpackedSize} bytes unpacked, ${packed.files.length} files): update README's "Node and Bun" section`,
  );
});

test("import of the installed package (ESM) reads a wtmp as utmpdump does, in Node and Bun", () => {
  const { consumer, wtmp } = setUp();
  const expected = utmpdump(wtmp);
  assert.equal(expected.length, 4);
  for (const runtime of ["node", join(BIN, "bun")]) assert.deepEqual(read(consumer, runtime, wtmp), expected, runtime);
});

test("koffi, the optional dependency, gives the installed package backend ffi; without it auto reads and ffi names it", () => {
  const { tmp, tarball, consumer, wtmp } = setUp();
  const expected = utmpdump(wtmp);
  const bare = install(join(tmp, "no-koffi"), tarball, ["--omit=optional"]);
  assert.ok(!existsSync(join(bare, "node_modules", "koffi")), "--omit=optional installed koffi");
  for (const runtime of ["node", join(BIN, "bun")]) {
    assert.deepEqual(read(consumer, runtime, wtmp, "ffi"), expected, runtime);
    assert.deepEqual(read(bare, runtime, wtmp), expected, runtime);
    const [error = "", ...rest] = read(bare, runtime, wtmp, "ffi");
    assert.match(error, /^LibcUnavailableError: .*"koffi" is not installed/, runtime);
    assert.deepEqual(rest, []);
  }
});

test("require() of the installed package loads the CommonJS build of every export, with the names import() gives", () => {
  const { consumer: dir, wtmp } = setUp();
  const subpaths = Object.keys(manifest.exports).filter((s) => s !== "./package.json");
  writeFileSync(
    join(dir, "cjs.cjs"),
    `const { UtmpFile } = require("${manifest.name}");
const { formatUtmpdumpLine } = require("${manifest.name}/utmpdump");
for (const subpath of ${JSON.stringify(subpaths)}) {
  const name = "${manifest.name}" + subpath.slice(1);
  if (!require.resolve(name).includes("/${manifest.name}/script/")) throw new Error(name + " resolved to " + require.resolve(name));
  if (Object.keys(require(name)).length === 0) throw new Error("require(" + name + ") exported nothing");
}
(async () => {
  for await (const u of new UtmpFile(process.argv[2])) console.log(formatUtmpdumpLine(u));
})();
`,
  );
  assert.deepEqual(inConsumer(dir, "node", ["cjs.cjs", wtmp]).trimEnd().split("\n"), utmpdump(wtmp));
  // Both builds export the same names (the CommonJS one through require(), the ES one through import()).
  writeFileSync(
    join(dir, "names.mjs"),
    `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const out = {};
for (const subpath of ${JSON.stringify(subpaths)}) {
  const name = "${manifest.name}" + subpath.slice(1);
  out[subpath] = [Object.keys(require(name)).sort(), Object.keys(await import(name)).sort()];
}
console.log(JSON.stringify(out));
`,
  );
  const names = JSON.parse(inConsumer(dir, "node", ["names.mjs"])) as Record<string, [string[], string[]]>;
  for (const [subpath, [required, imported]] of Object.entries(names)) {
    assert.ok(imported.length > 0, subpath);
    assert.deepEqual(required, imported, subpath);
  }
  // The command line as a CommonJS program (require.main === module stands for import.meta.main there).
  const bin = join(dir, "node_modules", ...manifest.name.split("/"), "script", "src", "cli", "main.js");
  assert.equal(inConsumer(dir, "node", [bin, "who", wtmp]), run("who", [wtmp]));
});

test("tsc type-checks a TypeScript consumer of the installed package, as ESM and as CommonJS", () => {
  const { consumer: dir } = setUp();
  const body = `import { UtmpFile, type UtmpRecord, UtmpFileError } from "${manifest.name}";
import { decodeRecords, LAYOUTS } from "${manifest.name}/layouts";

export async function users(path: string): Promise<string[]> {
  const names: string[] = [];
  for await (const u of new UtmpFile(path, { layout: "linux", strict: true })) {
    const record: UtmpRecord = u;
    const when: Date = record.ut_time;
    if (record.ut_user_process && when.getTime() > 0) names.push(record.ut_user);
  }
  return names;
}
export const layoutSizes: number[] = Object.values(LAYOUTS).map((l) => l.size);
export const decode: typeof decodeRecords = decodeRecords;
export const isFileError = (e: unknown): boolean => e instanceof UtmpFileError && e.code === "ENOENT";
// The types are real, not any: a Date is not a string, and an unknown option is refused.
// @ts-expect-error ut_time is a Date
export const wrong: (r: UtmpRecord) => string = (r) => r.ut_time;
// @ts-expect-error no such option
new UtmpFile("/x", { lay0ut: "linux" });
`;
  writeFileSync(join(dir, "consumer.mts"), body);
  writeFileSync(join(dir, "consumer.cts"), body);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      files: ["consumer.mts", "consumer.cts"],
    }),
  );
  try {
    inConsumer(dir, "node", [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
  } catch (error) {
    assert.fail(`tsc rejected the consumer:\n${(error as { stdout?: string }).stdout ?? error}`);
  }
});

/** Installs TypeScript `version` into a project of its own (once), and returns its tsc. */
function typescript(version: string): string {
  const { tmp } = setUp();
  const dir = join(tmp, `typescript-${version}`);
  const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
  if (existsSync(tsc)) return tsc;
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "ts", private: true }));
  inConsumer(dir, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `typescript@${version}`]);
  return tsc;
}

test(`tsc ${OLD_TYPESCRIPT} type-checks a CommonJS consumer (nodenext and node10) and an ES one of the installed package`, () => {
  const { consumer: dir } = setUp();
  const tsc = typescript(OLD_TYPESCRIPT);
  assert.match(inConsumer(dir, "node", [tsc, "--version"]), new RegExp(OLD_TYPESCRIPT.replaceAll(".", "\\.")));
  const body = `import { UtmpFile, type UtmpRecord, who } from "${manifest.name}";
import { decodeRecords, LAYOUTS } from "${manifest.name}/layouts";
import { formatUtmpdumpLine } from "${manifest.name}/utmpdump";
import { chooseSource } from "${manifest.name}/sources";
import { main } from "${manifest.name}/cli";

export async function lines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const u of new UtmpFile(path)) out.push(formatUtmpdumpLine(u));
  return out;
}
export const sizes: number[] = Object.values(LAYOUTS).map((l) => l.size);
export const decode: typeof decodeRecords = decodeRecords;
export const live: () => AsyncGenerator<UtmpRecord> = () => who();
export const chosen: Promise<{ source: string; path: string }> = chooseSource("sessions");
export const cli: typeof main = main;
// @ts-expect-error ut_time is a Date
export const wrong: (r: UtmpRecord) => string = (r) => r.ut_time;
`;
  // A .ts file of a package without "type" is CommonJS: TS1479 there before the package had a CommonJS build.
  mkdirSync(join(dir, "old-ts"));
  writeFileSync(join(dir, "old-ts", "consumer.ts"), body);
  writeFileSync(join(dir, "old-ts", "consumer.mts"), body);
  const config = (module: string, resolution: string, files: string[]) =>
    JSON.stringify({
      compilerOptions: {
        module,
        moduleResolution: resolution,
        target: "es2022",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      files,
    });
  for (
    const [name, module, resolution, files] of [
      ["nodenext", "nodenext", "nodenext", ["consumer.ts", "consumer.mts"]],
      ["node10", "commonjs", "node10", ["consumer.ts"]],
    ] as const
  ) {
    writeFileSync(join(dir, "old-ts", `tsconfig.${name}.json`), config(module, resolution, [...files]));
    try {
      inConsumer(dir, "node", [tsc, "-p", join("old-ts", `tsconfig.${name}.json`)]);
    } catch (error) {
      assert.fail(
        `tsc ${OLD_TYPESCRIPT} (${name}) rejected the consumer:\n${(error as { stdout?: string }).stdout ?? error}`,
      );
    }
  }
});

/** TypeScript releases a consumer may type-check the package with, each from npm: the oldest supported, the last 5.x, 6. */
const CONSUMER_TYPESCRIPTS = ["5.4", "5.8", "6"] as const;

for (const version of CONSUMER_TYPESCRIPTS) {
  test(`tsc ${version} type-checks the installed package's declarations alone (skipLibCheck false, no @types/node), ESM and CommonJS, targets es2022 to es2025`, () => {
    const { consumer: dir } = setUp();
    const tsc = typescript(version);
    assert.match(
      inConsumer(dir, "node", [tsc, "--version"]),
      new RegExp(`Version ${version.replaceAll(".", "\\.")}\\.`),
    );
    // Every export, and the class that is AsyncDisposable; nothing of Node's named by the consumer itself.
    const body = `import { UtmpFile, type UtmpRecord, lastSessions, watch, who } from "${manifest.name}";
import { decodeRecords, LAYOUTS } from "${manifest.name}/layouts";
import { formatUtmpdumpLine } from "${manifest.name}/utmpdump";
import { chooseSource } from "${manifest.name}/sources";
import { main } from "${manifest.name}/cli";

export async function lines(path: string): Promise<string[]> {
  const out: string[] = [];
  const file = new UtmpFile(path);
  for await (const u of file) out.push(formatUtmpdumpLine(u));
  await file[Symbol.asyncDispose]();
  return out;
}
export const sizes: number[] = Object.values(LAYOUTS).map((l) => l.size);
export const decode: typeof decodeRecords = decodeRecords;
export const live: () => AsyncGenerator<UtmpRecord> = () => who();
export const history: typeof lastSessions = lastSessions;
export const follow: typeof watch = watch;
export const chosen: Promise<{ source: string; path: string }> = chooseSource("sessions");
export const cli: typeof main = main;
// @ts-expect-error ut_time is a Date
export const wrong: (r: UtmpRecord) => string = (r) => r.ut_time;
`;
    const sub = join(dir, `alone-ts${version}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "consumer.mts"), body);
    writeFileSync(join(sub, "consumer.cts"), body);
    const targets = version === "5.4" ? ["es2022"] : ["es2022", "es2024", ...(version === "6" ? ["es2025"] : [])];
    for (const target of targets) {
      const config = `tsconfig.${target}.json`;
      writeFileSync(
        join(sub, config),
        JSON.stringify({
          compilerOptions: { module: "nodenext", target, strict: true, noEmit: true, skipLibCheck: false, types: [] },
          files: ["consumer.mts", "consumer.cts"],
        }),
      );
      try {
        inConsumer(sub, "node", [tsc, "-p", config]);
      } catch (error) {
        assert.fail(
          `tsc ${version} (${target}) rejected the consumer:\n${(error as { stdout?: string }).stdout ?? error}`,
        );
      }
    }
  });
}

test("the npm README's examples type-check against the installed package and those that can run here run in Node", () => {
  const { consumer: dir } = setUp();
  const readme = readFileSync(join(NPM, "README.md"), "utf8");
  assert.equal(
    readme,
    readFileSync(join(ROOT, "scripts", "README.npm.md"), "utf8"),
    "npm/README.md is scripts/README.npm.md",
  );
  assert.doesNotMatch(readme, /\.\/mod\.ts|deno task|npm ci|\.\.\/shared/, "the npm README speaks to npm users");
  const blocks = codeBlocks(readme).filter((b) => b.lang === "ts" || b.lang === "js");
  assert.ok(blocks.filter((b) => b.lang === "ts").length >= 2 && blocks.some(runs), "the README has examples to check");
  const out = join(dir, "readme");
  mkdirSync(out, { recursive: true });
  // Each block a module of its own: .mts (ES), or .cjs for a CommonJS one (it calls require()).
  const files = blocks.map((b, i) => {
    const name = `block${i}_line${b.line}.${b.lang === "ts" ? "mts" : /\brequire\(/.test(b.code) ? "cjs" : "mjs"}`;
    writeFileSync(join(out, name), b.code);
    return name;
  });
  writeFileSync(
    join(out, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        target: "es2022",
        strict: true,
        allowJs: true,
        checkJs: true,
        outDir: "js",
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      files,
    }),
  );
  try {
    inConsumer(dir, "node", [
      join(ROOT, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      join("readme", "tsconfig.json"),
    ]);
  } catch (error) {
    assert.fail(`tsc rejected an npm README example:\n${(error as { stdout?: string }).stdout ?? error}`);
  }
  for (const [i, block] of blocks.entries()) {
    if (!runs(block)) continue;
    const compiled = join(out, "js", files[i]!.replace(/\.mts$/, ".mjs"));
    const ran = spawnSync("node", [compiled], { cwd: dir, env: ORACLE_ENV, encoding: "utf8", timeout: 60_000 });
    assert.equal(ran.status, 0, `README line ${block.line}: ${ran.stderr}`);
    assert.equal(ran.stderr, "", `README line ${block.line}`);
  }
});

test("npx utmp who prints what coreutils who prints for the same file", () => {
  const { consumer: dir, wtmp } = setUp();
  const expected = run("who", [wtmp]);
  assert.match(expected, /^alice +pts\/0 /m);
  assert.equal(inConsumer(dir, "npx", ["--no-install", "utmp", "who", wtmp]), expected);
});

test("npx -p @utmp/utmp utmp who, the READMEs' form, runs the installed package; npm warns of koffi's install script alone", () => {
  const { tmp, tarball, consumer: dir, wtmp } = setUp();
  assert.equal(inConsumer(dir, "npx", ["--no-install", "-p", manifest.name, "utmp", "who", wtmp]), run("who", [wtmp]));
  for (const readme of ["README.md", "scripts/README.npm.md"]) {
    const text = readFileSync(join(ROOT, readme), "utf8");
    assert.match(text, /npx -p @utmp\/utmp utmp who/, `${readme} names the package for npx`);
    assert.match(text, /koffi has an install script not\s+covered by `allowScripts`: the warning is harmless/, readme);
  }
  // What a fresh install says of install scripts (npm 11 warns; older npm says nothing): koffi's, no other.
  const fresh = join(tmp, "fresh-install");
  mkdirSync(fresh);
  writeFileSync(join(fresh, "package.json"), JSON.stringify({ name: "fresh", private: true }));
  const ran = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    cwd: fresh,
    env: ORACLE_ENV,
    encoding: "utf8",
  });
  assert.equal(ran.status, 0, ran.stderr);
  const scripts = ran.stderr.split("\n").filter((l) => /install-scripts +\S+@\d/.test(l));
  for (const line of scripts) assert.match(line, /install-scripts +koffi@/, line);
});

test("npx utmp who stops quietly when the reader closes the pipe (utmp who | head -n 1)", () => {
  const { consumer, tmp, wtmp } = setUp();
  const big = join(tmp, "wtmp-x3000"); // 12,000 records, far more than a pipe holds
  writeFileSync(big, Buffer.concat(Array<Buffer>(3000).fill(readFileSync(wtmp))));
  const script = 'npx --no-install utmp who "$1" | head -n 1; echo "utmp exit ${PIPESTATUS[0]}"';
  const result = spawnSync("bash", ["-c", script, "bash", big], { cwd: consumer, env: ORACLE_ENV, encoding: "utf8" });
  assert.deepEqual(result.stdout.trimEnd().split("\n"), [run("who", [wtmp]).split("\n")[0], "utmp exit 0"]);
  assert.doesNotMatch(result.stderr, /EPIPE|Error/);
});

test("publint reports no problems in the tarball, warnings included", () => {
  const { tarball } = setUp();
  assert.match(lint(join(BIN, "publint"), ["run", tarball, "--strict"]), /All good/);
});

test("attw (@arethetypeswrong/cli) with its default profile reports no problems in npm/, node10 included", () => {
  setUp();
  // As a user runs it: `attw --pack npm` packs npm/ and deletes the tarball afterwards; exit 0 is "No problems".
  const report = JSON.parse(lint(join(BIN, "attw"), ["--pack", NPM, "--format", "json"])) as {
    problems: Record<string, unknown>;
    analysis: { entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
  };
  assert.deepEqual(report.problems, {});
  // Each export's types, for each resolver: the CommonJS ones for node10 and require(), the ES ones for import.
  for (const [entry, { resolutions }] of Object.entries(report.analysis.entrypoints)) {
    if (entry === "./package.json") continue;
    const file = (kind: string): string => resolutions[kind]?.resolution?.fileName ?? "";
    assert.match(file("node10"), /\/script\/.+\.d\.ts$/, `${entry} node10`);
    assert.match(file("node16-cjs"), /\/script\/.+\.d\.ts$/, `${entry} node16 from CommonJS`);
    assert.match(file("node16-esm"), /\/esm\/.+\.d\.ts$/, `${entry} node16 from ESM`);
  }
});
