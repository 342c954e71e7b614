/**
 * What every command of the `utmp` command line is made of: the
 * {@link Command} contract, the {@link Context} it runs in, the options
 * every command shares, and the buffered {@link Writer} commands print
 * through.
 *
 * @module
 */

import { statSync } from "node:fs";
import { dirname } from "node:path";
import { type OptionSpec, type ParsedArgs, UsageError } from "./_args.ts";
import { utf8String } from "../_internal/bytes.ts";
import { safeJson } from "../_internal/escape/json.ts";
import { UtmpFileError } from "../errors.ts";

/**
 * Exit codes of the command line: 0 done, 1 a file could not be read, 2 a
 * usage error.
 *
 * @example Telling a usage error from a missing file
 * ```ts
 * import { EXIT, main } from "@utmp/utmp/cli";
 * import assert from "node:assert/strict";
 *
 * const io = { out: () => {}, err: () => {} };
 * assert.equal(await main(["who", "--no-such-option"], io), EXIT.USAGE);
 * assert.equal(await main(["who", "/nonexistent/utmp"], io), EXIT.CANNOT_READ);
 * ```
 */
export const EXIT = { OK: 0, CANNOT_READ: 1, USAGE: 2 } as const;

/** Where a command reads and writes. */
export interface Output {
  /**
   * Writes to standard output: bytes as they are, a string as UTF-8. May
   * return a promise to hold the command back until the data is taken.
   */
  out(chunk: Uint8Array | string): void | Promise<void>;
  /** Writes a line of text to standard error. */
  err(text: string): void;
  /** Standard input, for commands that read text (`dump --reverse`); defaults to the process's. */
  stdin?: AsyncIterable<Uint8Array>;
  /** The width of the terminal standard output is, if it is one (what `w` fits its lines to). */
  columns?: number;
}

/** What a command gets besides its arguments. */
export interface Context {
  /** Where to write. */
  io: Output;
  /** The command's name ("who"). */
  command: string;
  /**
   * Global options, given before or after the command name
   * (`utmp --root /host who`, `utmp who --root=/host`), by key (see
   * `GLOBAL_OPTIONS` in main.ts).
   */
  globals: Readonly<Record<string, string>>;
}

/**
 * A command of the `utmp` command line. Each lives in its own file under
 * src/cli/ and exports one `command`; main.ts lists them.
 */
export interface Command {
  /** The name typed after `utmp`. */
  name: string;
  /** One line for `utmp --help`. */
  summary: string;
  /** The help text after the usage line (options, notes). */
  help: string;
  /** The usage line's arguments ("[options] [FILE]"). */
  usage: string;
  /** The command's own options; {@link COMMON_OPTIONS} are added to them. */
  options: readonly OptionSpec[];
  /** Whether `-0`..`-9` are digits of a count (last's `-5`). */
  digits?: boolean;
  /**
   * Long names of the {@link COMMON_OPTIONS} the command refuses (watch's
   * "json": an array a watch never closes), left out of its `--help`.
   */
  refuses?: readonly string[];
  /**
   * Runs the command.
   *
   * @param args Parsed options (the common ones included) and operands.
   * @param ctx Where to write, and the global options.
   * @returns The exit code.
   */
  run(args: ParsedArgs, ctx: Context): Promise<number>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { key: "file", long: "file", arg: true },
  { key: "layout", long: "layout", arg: true },
  { key: "json", long: "json" },
  { key: "ndjson", long: "ndjson" },
  { key: "help", long: "help" },
  { key: "version", long: "version" },
];

/** Help lines for {@link COMMON_OPTIONS}, by long name, in the order `--help` lists them. */
export const COMMON_HELP: readonly (readonly [long: string, line: string])[] = [
  ["file", "      --file FILE      read FILE instead of the system's file"],
  ["layout", '      --layout NAME    record layout of FILE ("linux", "linux-be", "linux64", ...; default: detected)'],
  ["json", "      --json           print one JSON array instead of text"],
  [
    "ndjson",
    "      --ndjson         print one JSON object per line\n" +
    "                       (the library's objects: records with their C field\n" +
    "                       names, the others with the library's property names;\n" +
    "                       times as ISO-8601 UTC text; a missing value null)",
  ],
  ["help", "      --help           show this help and exit"],
  ["version", "      --version        show the version and exit"],
];

/** The last value given for an option, or undefined. */
export function lastValue(args: ParsedArgs, key: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of args.options) if (k === key) value = v;
  return value;
}

/**
 * The FILE operands of a command that takes at most `max`, the `--file`
 * option (which every command accepts) first.
 *
 * @throws {UsageError} "extra operand" for one more than `max`.
 */
export function fileOperands(args: ParsedArgs, max: number): string[] {
  const file = lastValue(args, "file");
  const operands = file === undefined ? args.operands : [file, ...args.operands];
  if (operands.length > max) throw new UsageError(`extra operand '${operands[max]}'`);
  return operands;
}

/** Whether an option was given. */
export function has(args: ParsedArgs, key: string): boolean {
  return args.options.some(([k]) => k === key);
}

/**
 * How structured output was asked for: "json", "ndjson", or undefined for text.
 *
 * @throws {UsageError} When both `--json` and `--ndjson` are given: one array or one object a line, not both.
 */
export function jsonMode(args: ParsedArgs): "json" | "ndjson" | undefined {
  let mode: "json" | "ndjson" | undefined;
  for (const [k] of args.options) {
    if (k !== "json" && k !== "ndjson") continue;
    if (mode !== undefined && mode !== k) {
      throw new UsageError("options '--json' and '--ndjson' are mutually exclusive: one array, or one object a line");
    }
    mode = k;
  }
  return mode;
}

/**
 * For a command that waits for its FILE to appear (`watch`): says so on
 * standard error when FILE does not exist yet, and refuses a FILE whose
 * directory does not exist (a typo, not a file still to come).
 *
 * @param path The FILE operand.
 * @param ctx The command's context.
 * @returns Whether FILE was missing (then all it comes to hold is new).
 * @throws {UtmpFileError} "ENOENT" when the directory of `path` does not exist.
 */
export function waitingFor(path: string, ctx: Context): boolean {
  const missing = (p: string): boolean => {
    try {
      statSync(p);
      return false;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ENOENT" || code === "ENOTDIR") return true;
      if (code === undefined) throw error; // a runtime permission denial: main() names the flag
      return false; // EACCES and the like: the reader reports them with its own words
    }
  };
  if (!missing(path)) return false;
  const dir = dirname(path);
  if (missing(dir)) {
    throw new UtmpFileError(
      `Cannot watch "${path}": no such directory "${dir}" (ENOENT); check the path`,
      "ENOENT",
      path,
    );
  }
  ctx.io.err(`utmp ${ctx.command}: "${path}" does not exist yet; waiting for it to appear\n`);
  return true;
}

/** Flush to the output once this many bytes are pending. */
const FLUSH_BYTES = 1 << 16;

/** C `isspace`. */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * Buffers output as bytes and writes it in large pieces: text as byte
 * strings (see ../_internal/bytes.ts) through {@link text} (which flushes
 * when enough is pending) or {@link write}, fields straight from record bytes
 * through {@link field} (no string made per field), structured output
 * through {@link item}. Hot loops write, then call {@link flushIfFull} once
 * in a while.
 */
export class Writer {
  readonly #io: Output;
  readonly #json: "json" | "ndjson" | undefined;
  #buffer = new Uint8Array(FLUSH_BYTES * 2);
  #at = 0;
  #items = 0;

  /**
   * @param io Where to write.
   * @param json Structured output mode, if any.
   */
  constructor(io: Output, json?: "json" | "ndjson") {
    this.#io = io;
    this.#json = json;
  }

  /** Whether structured output was asked for. */
  get json(): boolean {
    return this.#json !== undefined;
  }

  /** Where the next byte goes: where a line begins, for {@link trimLine} and {@link takeFrom}. */
  get position(): number {
    return this.#at;
  }

  /**
   * Adds text (a byte string) and flushes when enough is pending.
   *
   * @param text Bytes as a byte string.
   */
  async text(text: string): Promise<void> {
    this.write(text);
    await this.flushIfFull();
  }

  /**
   * Adds text (a byte string), never flushing.
   *
   * @param text Bytes as a byte string.
   */
  write(text: string): void {
    const n = text.length;
    const buffer = this.#room(n);
    let at = this.#at;
    for (let i = 0; i < n; i++) buffer[at++] = text.charCodeAt(i);
    this.#at = at;
  }

  /**
   * Ends the line that began at `start` as util-linux's `trim_trailing_spaces`
   * does: white space at its end removed, one newline added.
   *
   * @param start Where the line began.
   */
  trimLine(start: number): void {
    const buffer = this.#buffer;
    let p = this.#at;
    // As last.c: back over the white space; a line whose only other byte is its first loses that byte too.
    while (p > start && isSpace(buffer[--p]!));
    if (p > start) p++;
    this.#at = p;
    this.write("\n");
  }

  /**
   * Ends the line that began at `start` as coreutils `who` does: spaces at
   * its end removed, one newline added.
   *
   * @param start Where the line began.
   */
  trimSpaces(start: number): void {
    let at = this.#at;
    while (at > start && this.#buffer[at - 1] === 0x20) at--;
    this.#at = at;
    this.write("\n");
  }

  /**
   * printf `%-W.Ps` of a byte string (cut at its first NUL, then at
   * `precision`, padded with spaces to `width`), never flushing.
   *
   * @param text A byte string.
   * @param width Minimum width.
   * @param precision Maximum length (-1 for none).
   */
  pad(text: string, width: number, precision = -1): void {
    let n = text.length;
    if (precision >= 0 && n > precision) n = precision;
    const buffer = this.#room(Math.max(width, n));
    let at = this.#at;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0) break;
      buffer[at++] = c;
    }
    for (const stop = this.#at + width; at < stop;) buffer[at++] = 0x20;
    this.#at = at;
  }

  /**
   * The bytes written since `start`, as a byte string, taken back out of the
   * buffer (to be written again another way).
   *
   * @param start Where the line began.
   * @returns The byte string.
   */
  takeFrom(start: number): string {
    let text = "";
    // A piece at a time: fromCharCode takes its arguments from the bytes, a line's worth without many strings.
    for (let i = start; i < this.#at; i += 4096) {
      text += String.fromCharCode.apply(
        null,
        this.#buffer.subarray(i, Math.min(i + 4096, this.#at)) as unknown as number[],
      );
    }
    this.#at = start;
    return text;
  }

  /**
   * Adds one value to the JSON array or NDJSON stream. What a terminal acts
   * on and `JSON.stringify` leaves raw (DEL, C1 controls, bidi overrides and
   * other format characters, U+2028/U+2029) is written as `\uXXXX`.
   *
   * @param value Anything JSON.stringify takes (records turn into their toJSON()).
   */
  async item(value: unknown): Promise<void> {
    const line = utf8String(safeJson(JSON.stringify(value)));
    if (this.#json === "ndjson") return this.text(line + "\n");
    await this.text((this.#items++ === 0 ? "[\n" : ",\n") + line);
  }

  /** Writes what is pending when it is enough. */
  flushIfFull(): Promise<void> | undefined {
    return this.#at >= FLUSH_BYTES ? this.flush() : undefined;
  }

  /** Writes what is pending. */
  async flush(): Promise<void> {
    if (this.#at === 0) return;
    const bytes = this.#buffer.slice(0, this.#at);
    this.#at = 0;
    await this.#io.out(bytes);
  }

  /** Closes the JSON array (if any) and flushes. */
  async end(): Promise<void> {
    if (this.#json === "json") await this.text(this.#items === 0 ? "[]\n" : "\n]\n");
    await this.flush();
  }

  /** The buffer, with room for `n` more bytes. */
  #room(n: number): Uint8Array {
    if (this.#at + n > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#at + n));
      grown.set(this.#buffer.subarray(0, this.#at));
      this.#buffer = grown;
    }
    return this.#buffer;
  }
}
