/**
 * Builds the npm package for Node and Bun from the Deno source, doing what
 * dnt would (dnt and `@std` are on JSR, which this project cannot reach):
 *
 * 1. empties `npm/`;
 * 2. stages `mod.ts`, `src/` and `tests/` (not the fixtures) in `npm/.stage/`,
 *    applying the mappings: a `name.node.ts` beside `name.ts` replaces it
 *    (dnt's "mappings"; `src/backends/_ffi_select.node.ts` adds koffi for Node and Bun);
 * 3. compiles the staged entry points (every `deno.json` export, the bin, the
 *    tests) with `tsc` from npm: NodeNext ESM with `.d.ts` into `npm/esm/`,
 *    `.ts` import specifiers rewritten to `.js`, strict, nothing written on
 *    any error;
 * 4. compiles the exports again as CommonJS into `npm/script/` (as dnt's
 *    `scriptModule` does), with `import.meta.main` read as
 *    `require.main === module`: `require()` then loads CommonJS, and
 *    TypeScript before 5.8 and the `node10` resolution find types for it;
 * 5. writes `npm/package.json` from `deno.json` (`exports` with `import` and
 *    `require` conditions, `main`/`types`/`typesVersions` for resolvers
 *    without `exports`; the `utmp` bin is `scripts/npm_bin.ts`, compiled
 *    with the rest), and copies `scripts/README.npm.md` (the README for npm
 *    users) as README.md, and LICENSE.
 *
 * The compiled tests land in `npm/esm/tests/` (the package's `files` leaves
 * them out); `scripts/test_runtimes.ts` runs them under Node and Bun.
 *
 * ```sh
 * ./node_modules/.bin/deno run -A scripts/build_npm.ts
 * ```
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "npm");
const STAGE = join(OUT, ".stage");

/** The package's commands: bin name to the wrapper that runs it (staged and compiled as `bin/<name>.ts`). */
const BINS: Record<string, string> = { utmp: "scripts/npm_bin.ts" };

/** Node versions the package supports: 20.19 is the first 20.x whose `require()` loads ES modules. */
const NODE_ENGINES = ">=20.19";

interface DenoJson {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
  compilerOptions?: Record<string, unknown>;
}

interface RootPackageJson {
  optionalDependencies?: Record<string, string>;
}

function log(message: string): void {
  // deno-lint-ignore no-console
  console.log(`[build_npm] ${message}`);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(ROOT, path), "utf8")) as T;
}

/**
 * Every file under `dir` (relative to the repository root, with "/"), skipping `skip` directories.
 *
 * @param dir A directory, relative to the repository root.
 * @param skip Directories to leave out (as `dir/...` paths).
 * @returns The files' paths.
 */
export function walk(dir: string, skip: string[] = []): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!skip.includes(path)) files.push(...walk(path, skip));
    } else if (entry.isFile()) {
      files.push(path);
    }
  }
  return files;
}

/** `./src/x.ts` -> `src/x.ts`. */
function bare(path: string): string {
  return path.replace(/^\.\//, "");
}

/** `src/x.ts` -> `./esm/src/x` (or `./script/...`) + extension. */
function emitted(source: string, extension: ".js" | ".d.ts", format: "esm" | "script" = "esm"): string {
  return `./${format}/${source.replace(/\.ts$/, extension)}`;
}

/** The npm README: written for npm users (install, import, npx), not the repository's. */
const NPM_README = "scripts/README.npm.md";

/**
 * Copies the sources into the stage, with each `name.node.ts` written in
 * place of its `name.ts` (dnt's "mappings").
 *
 * @returns The mappings applied, original to replacement.
 */
function stage(sources: string[]): Map<string, string> {
  const mappings = new Map<string, string>();
  for (const file of sources.filter((f) => f.endsWith(".node.ts"))) {
    const original = file.replace(/\.node\.ts$/, ".ts");
    if (sources.includes(original)) mappings.set(original, file);
  }
  for (const file of sources) {
    if ([...mappings.values()].includes(file)) continue;
    const from = mappings.get(file) ?? file;
    mkdirSync(join(STAGE, dirname(file)), { recursive: true });
    copyFileSync(join(ROOT, from), join(STAGE, file));
  }
  return mappings;
}

/**
 * Rewrites relative `.ts` specifiers in the emitted files to `.js`:
 * `rewriteRelativeImportExtensions` leaves declarations alone
 * (microsoft/TypeScript#61037), and misses a dynamic `import()` inside a block
 * whose `using` it lowers (the tests' `await import("../src/cli/main.ts")`);
 * tools other than tsc do not map `./x.ts` to `./x.d.ts`.
 *
 * @returns How many files were changed.
 */
function rewriteTsSpecifiers(dir: string): number {
  let changed = 0;
  for (const file of walk(dir).filter((f) => f.endsWith(".d.ts") || f.endsWith(".js"))) {
    const path = join(ROOT, file);
    const before = readFileSync(path, "utf8");
    const after = before.replace(/(\bfrom\s*|\bimport\s*\(\s*)(["'])(\.{1,2}\/[^"']+?)(?<!\.d)\.ts\2/g, "$1$2$3.js$2");
    if (after !== before) {
      writeFileSync(path, after);
      changed++;
    }
  }
  return changed;
}

/**
 * Libraries of TypeScript's that a declaration needs beyond ES2022 (what a
 * consumer's `target` gives it), with what names them: `UtmpFile` is
 * `AsyncDisposable`, which only `esnext.disposable` (TypeScript 5.2 and
 * later) declares, or `@types/node`, which a consumer need not load.
 */
const DECLARATION_LIBS: readonly (readonly [lib: string, uses: RegExp])[] = [
  ["esnext.disposable", /\b(?:Async)?Disposable\b|\bSymbol\.(?:asyncDispose|dispose)\b/],
];

/**
 * Makes the emitted declarations of `dir` stand alone: each one that names
 * what a library of {@link DECLARATION_LIBS} declares references it
 * (`/// <reference lib="esnext.disposable" />`), so that a consumer with
 * `skipLibCheck: false`, any target from ES2022 and no `@types/node`
 * type-checks.
 *
 * @returns How many declaration files were changed.
 */
function referenceDeclarationLibs(dir: string): number {
  let changed = 0;
  for (const file of walk(dir).filter((f) => f.endsWith(".d.ts") || f.endsWith(".js"))) {
    const path = join(ROOT, file);
    const text = readFileSync(path, "utf8");
    const libs = DECLARATION_LIBS.filter(([, uses]) => uses.test(text)).map(([lib]) =>
      `/// <reference lib="${lib}" />\n`
    );
    if (libs.length === 0) continue;
    writeFileSync(path, libs.join("") + text);
    changed++;
  }
  return changed;
}

/**
 * Reprints the emitted JavaScript of `dir` without comments: the
 * documentation is in the `.d.ts` beside each file (tsc's `removeComments`
 * would drop it there too). Executables keep their first line (`#!`).
 *
 * @returns The bytes saved.
 */
function stripComments(dir: string): number {
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  let saved = 0;
  for (const file of walk(dir).filter((f) => f.endsWith(".js") && !f.includes("/bin/"))) {
    const path = join(ROOT, file);
    const before = readFileSync(path, "utf8");
    const after = printer.printFile(ts.createSourceFile(file, before, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
    writeFileSync(path, after);
    saved += before.length - after.length;
  }
  return saved;
}

/** The tsconfig for the stage: Deno's own compiler options plus what Node output needs (ESM in `esm/`, CommonJS in `script/`). */
function tsconfig(deno: DenoJson, files: string[], format: "esm" | "script" = "esm"): unknown {
  // Bare specifiers from deno.json "imports" that point into the repository (e.g. "@utmp/utmp").
  const paths = Object.fromEntries(
    Object.entries(deno.imports ?? {}).filter(([, target]) => target.startsWith("./")).map((
      [name, target],
    ) => [name, [target]]),
  );
  return {
    compilerOptions: {
      ...deno.compilerOptions,
      target: "ES2022", // Node 20's V8; `using` is lowered
      lib: ["ES2023", "ESNext.Disposable"], // nothing newer than Node 20 has
      types: ["node"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      rewriteRelativeImportExtensions: true,
      // ESM is written as it is; the CommonJS build turns imports into require() (which verbatimModuleSyntax forbids).
      verbatimModuleSyntax: format === "esm",
      isolatedModules: true,
      // The CommonJS build takes the ES build's declarations, which carry the documentation: its code needs none.
      declaration: format === "esm",
      removeComments: format === "script",
      noEmitOnError: true,
      skipLibCheck: true,
      newLine: "lf",
      rootDir: ".",
      outDir: `../${format}`,
      paths,
    },
    files,
  };
}

/** Declarations the Deno source relies on that Node's types (20.x) lack. */
const STAGE_GLOBALS = `// Deno and Bun set import.meta.main (Node only from 24.2: there the bin wrapper calls main()).
interface ImportMeta {
  readonly main?: boolean;
}
`;

/**
 * The `Deno` namespace from `deno types`, for `src/ffi/deno.ts` (the package
 * keeps it, to call libc through `Deno.dlopen` when it runs under Deno). Only
 * the namespace: the web and `esnext` libs it references would replace Node's
 * types and the ES2023 limit. `npm_package_test.ts` checks that no other
 * module uses it.
 */
function denoNamespace(): string {
  const types = execFileSync(Deno.execPath(), ["types"], { encoding: "utf8", maxBuffer: 64 << 20 });
  const blocks = types.match(/^declare namespace Deno \{$[\s\S]*?^\}$/gm);
  if (blocks === null) throw new Error("Cannot find the Deno namespace in the output of `deno types`");
  return blocks.join("\n");
}

function compile(deno: DenoJson, entries: string[], format: "esm" | "script" = "esm"): void {
  // NodeNext emits each file in the format its nearest package.json names.
  writeFileSync(join(STAGE, "package.json"), JSON.stringify({ type: format === "esm" ? "module" : "commonjs" }) + "\n");
  writeFileSync(join(STAGE, "_globals.d.ts"), STAGE_GLOBALS);
  writeFileSync(join(STAGE, "_deno.d.ts"), denoNamespace());
  const files = [...entries, "_globals.d.ts", "_deno.d.ts"];
  writeFileSync(join(STAGE, "tsconfig.json"), JSON.stringify(tsconfig(deno, files, format), null, 2));
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync("node", [tsc, "-p", join(STAGE, "tsconfig.json"), "--pretty", "false"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? "") +
      String((error as { stderr?: string }).stderr ?? "");
    // Point the diagnostics at the repository's files rather than the staged copies.
    // deno-lint-ignore no-console
    console.error(output.replaceAll(relative(ROOT, STAGE) + "/", ""));
    throw new Error("Cannot build the npm package: tsc reported the errors above");
  }
}

/**
 * The CommonJS build's stage: the same sources, with `import.meta.main`
 * (the CLI's "run as a program" check, which CommonJS has no `import.meta`
 * for) read as `require.main === module`.
 *
 * @returns How many files were changed.
 */
function stageCommonJs(sources: string[]): number {
  let changed = 0;
  for (const file of sources) {
    const path = join(STAGE, file);
    if (!existsSync(path)) continue;
    const before = readFileSync(path, "utf8");
    if (!before.includes("import.meta")) continue;
    const after = before.replaceAll("import.meta.main", "(require.main === module)");
    if (after.includes("import.meta")) {
      throw new Error(`Cannot build the CommonJS modules: ${file} uses import.meta beyond import.meta.main`);
    }
    writeFileSync(path, after);
    changed++;
  }
  return changed;
}

function packageJson(deno: DenoJson, root: RootPackageJson): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  const typesVersions: Record<string, string[]> = {};
  for (const [subpath, source] of Object.entries(deno.exports)) {
    const file = bare(source);
    exports[subpath] = {
      import: { types: emitted(file, ".d.ts"), default: emitted(file, ".js") },
      require: { types: emitted(file, ".d.ts", "script"), default: emitted(file, ".js", "script") },
    };
    // Resolvers that predate "exports" (TypeScript's node10) find a subpath's types here.
    if (subpath !== ".") typesVersions[subpath.slice(2)] = [emitted(file, ".d.ts", "script")];
  }
  exports["./package.json"] = "./package.json";
  const koffi = root.optionalDependencies?.koffi;
  if (koffi === undefined) throw new Error('Cannot find "koffi" in the optionalDependencies of package.json');
  const main = bare(deno.exports["."] ?? "mod.ts");
  return {
    name: deno.name,
    version: deno.version,
    description: readmeSummary(),
    license: deno.license,
    keywords: ["utmp", "utmpx", "wtmp", "btmp", "lastlog", "login", "who", "last"],
    // No repository, homepage or bugs: the project has no public URL yet.
    type: "module",
    main: emitted(main, ".js", "script"),
    module: emitted(main, ".js"),
    types: emitted(main, ".d.ts", "script"),
    typesVersions: { "*": typesVersions },
    exports,
    bin: Object.fromEntries(Object.keys(BINS).map((name) => [name, emitted(`bin/${name}.ts`, ".js")])),
    files: ["esm/", "!esm/tests/", "script/"],
    engines: { node: NODE_ENGINES },
    sideEffects: false,
    // The libc backend in Node and Bun; without it backend "auto" decodes the file itself.
    optionalDependencies: { koffi },
  };
}

/** The npm README's first paragraph after its title, as one line. */
function readmeSummary(): string {
  const readme = readFileSync(join(ROOT, NPM_README), "utf8");
  const paragraph = readme.split("\n\n").find((p) => !p.startsWith("#")) ?? "";
  return paragraph.replaceAll("\n", " ").split(/(?<=\.) /)[0] ?? "";
}

/**
 * Builds `npm/` (see the module documentation).
 *
 * @throws {Error} When `tsc` reports an error (then it emits nothing).
 */
export function build(): void {
  const deno = readJson<DenoJson>("deno.json");
  const root = readJson<RootPackageJson>("package.json");

  log(`Cleaning ${relative(ROOT, OUT)}/...`);
  rmSync(OUT, { recursive: true, force: true });

  const sources = ["mod.ts", ...walk("src"), ...walk("tests", ["tests/fixtures"])].filter((f) => f.endsWith(".ts"));
  const mappings = stage(sources);
  for (const [from, to] of mappings) log(`Mapping ${from} -> ${to}`);
  mkdirSync(join(STAGE, "bin"));
  for (const [name, wrapper] of Object.entries(BINS)) {
    copyFileSync(join(ROOT, wrapper), join(STAGE, "bin", `${name}.ts`));
  }

  const tests = sources.filter((f) => f.startsWith("tests/") && f.endsWith("_test.ts"));
  const bins = Object.keys(BINS).map((name) => `bin/${name}.ts`);
  const entries = [...Object.values(deno.exports).map(bare), ...bins, ...tests];
  log(`Type checking and emitting ${entries.length - tests.length} entry points and ${tests.length} test files...`);
  compile(deno, entries);
  log(
    `Emitting the ${Object.keys(deno.exports).length} exports as CommonJS (${
      stageCommonJs(sources.filter((f) => !f.startsWith("tests/")))
    } files read import.meta.main as require.main === module)...`,
  );
  compile(deno, Object.values(deno.exports).map(bare), "script");
  rmSync(STAGE, { recursive: true });
  // Each CommonJS module's types are its ES twin's: the same exports, read as CommonJS under script/.
  for (const js of walk("npm/script").filter((f) => f.endsWith(".js"))) {
    copyFileSync(
      join(ROOT, js.replace(/^npm\/script\//, "npm/esm/").replace(/\.js$/, ".d.ts")),
      join(ROOT, js.replace(/\.js$/, ".d.ts")),
    );
  }
  // Node reads script/*.js as CommonJS, TypeScript script/*.d.ts as CommonJS types: the package is "type": "module".
  writeFileSync(join(OUT, "script", "package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
  log(`Left the comments out of the JavaScript (${Math.round(stripComments("npm/esm") / 1000)} kB less)`);
  const rewritten = rewriteTsSpecifiers("npm/esm") + rewriteTsSpecifiers("npm/script");
  log(`Rewrote .ts specifiers to .js in ${rewritten} emitted files`);
  const referencing = referenceDeclarationLibs("npm/esm") + referenceDeclarationLibs("npm/script");
  log(`Referenced the TypeScript libraries beyond ES2022 they use in ${referencing} declaration files`);
  for (const bin of bins) {
    chmodSync(join(OUT, emitted(bin, ".js")), 0o755);
    rmSync(join(OUT, emitted(bin, ".d.ts"))); // a command has no types to import
  }

  log(`Writing package.json, README.md (from ${NPM_README}), LICENSE...`);
  writeFileSync(join(OUT, "package.json"), JSON.stringify(packageJson(deno, root), null, 2) + "\n");
  copyFileSync(join(ROOT, NPM_README), join(OUT, "README.md"));
  copyFileSync(join(ROOT, "LICENSE"), join(OUT, "LICENSE"));
  for (const built of ["esm/mod.js", "script/mod.js"]) {
    if (!existsSync(join(OUT, built))) throw new Error(`Cannot find npm/${built} after the build`);
  }
  log(`Built ${deno.name}@${deno.version} in ${relative(ROOT, OUT)}/`);
}

if (import.meta.main) build();
