/**
 * What every command of the `utmp` command line is made of: the
 * {@link Command} contract, the {@link Context} it runs in, the options
 * every command shares, and the buffered {@link Writer} commands print
 * through.
 *
 * @module
 */

import { type OptionSpec, type ParsedArgs, UsageError } from "./_args.ts";
import { stringBytes, utf8String } from "../_internal/bytes.ts";
import { safeJson } from "../_internal/escape.ts";

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
}

/** What a command gets besides its arguments. */
export interface Context {
  /** Where to write. */
  io: Output;
  /** The command's name ("who"). */
  command: string;
  /**
   * Global options, given before the command name, by key (see
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

/** Help text for {@link COMMON_OPTIONS}. */
export const COMMON_HELP = `
Every command:
      --file FILE      read FILE instead of the system's file
      --layout NAME    record layout of FILE ("linux", "linux-be", "linux64", ...; default: detected)
      --json           print one JSON array instead of text
      --ndjson         print one JSON object per line
      --help           show this help and exit
      --version        show the version and exit
`;

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

/** How structured output was asked for: "json", "ndjson", or undefined for text. */
export function jsonMode(args: ParsedArgs): "json" | "ndjson" | undefined {
  let mode: "json" | "ndjson" | undefined;
  for (const [k] of args.options) if (k === "json" || k === "ndjson") mode = k;
  return mode;
}

/** Flush to the output once this many bytes are pending. */
const FLUSH_BYTES = 1 << 16;

/**
 * Buffers output (byte strings, see ../_internal/bytes.ts) and writes it in large
 * pieces; structured output goes through {@link Writer.item}.
 */
export class Writer {
  readonly #io: Output;
  readonly #json: "json" | "ndjson" | undefined;
  #parts: string[] = [];
  #pending = 0;
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

  /**
   * Adds text (a byte string).
   *
   * @param text Bytes as a byte string.
   */
  async text(text: string): Promise<void> {
    this.#parts.push(text);
    this.#pending += text.length;
    if (this.#pending >= FLUSH_BYTES) await this.flush();
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

  /** Writes what is pending. */
  async flush(): Promise<void> {
    if (this.#pending === 0) return;
    const text = this.#parts.join("");
    this.#parts = [];
    this.#pending = 0;
    await this.#io.out(stringBytes(text));
  }

  /** Closes the JSON array (if any) and flushes. */
  async end(): Promise<void> {
    if (this.#json === "json") await this.text(this.#items === 0 ? "[]\n" : "\n]\n");
    await this.flush();
  }
}
