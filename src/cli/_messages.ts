/**
 * The command line's own words for what went wrong. The library's errors
 * tell a program what to pass (`the layout option`, `LastlogFile`, `source
 * "wtmpdb"`); a person at the command line needs the flag or the command
 * (`--layout NAME`, `utmp lastlog`). {@link cliMessage} turns an error into
 * the one line `main()` prints:
 *
 * 1. a runtime permission denial (Deno's `NotCapable`) becomes "Cannot read
 *    "PATH": not allowed (Deno needs --allow-read)", whatever flag it names;
 * 2. otherwise each library phrase of {@link PHRASES} found in the message
 *    (the advice after its last "; ") is replaced by the command line's
 *    ({@link CLI_ADVICE}).
 *
 * @module
 */

import { isPermissionDenial } from "../_internal/runtime.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { UtmpFileError } from "../errors.ts";

/** How each command takes the file to read, where it is not an operand. */
const FILE_FLAG: Readonly<Record<string, string>> = { last: "-f ", lastb: "-f ", lastlog: "--file ", w: "--file " };

/** The command line's advice for each remedy the library names, for the command that failed ("who", "last"). */
export const CLI_ADVICE: Readonly<Record<string, (command: string) => string>> = {
  /** The remedy is the `layout` option: the flag is `--layout`. */
  layout: () => "pass --layout NAME",
  /** The file is a lastlog: `LastlogFile` in the library, `utmp lastlog` here. */
  lastlog: () => "read it with 'utmp lastlog --file FILE'",
  /** The remedy is a `source` or a `path`: here, a FILE operand. */
  source: (command) => `name the file to read: 'utmp ${command} ${FILE_FLAG[command] ?? ""}FILE'`,
  /** The remedy is the `uids` option: here, `-u` with the user. */
  uids: () => "look a user up with -u USER",
  /** The remedy is a path: here, `--file`. */
  path: () => "name one with --file FILE",
};

/**
 * Library phrases and the command line's words for them. Each is matched
 * anywhere in the message; "$1" in the words is the phrase's first group.
 */
export const PHRASES: readonly (readonly [RegExp, (command: string) => string])[] = [
  [/\bpass the layout option\b/g, CLI_ADVICE.layout!],
  [
    /\bwith layout "([^"]+)": it is a lastlog layout( \([^)]*\))?; use LastlogFile\b/g,
    () => `with --layout "$1": it is a lastlog layout$2; read it with 'utmp lastlog --layout $1 --file FILE'`,
  ],
  [/\b(?:use|read it with) `?LastlogFile`?/g, CLI_ADVICE.lastlog!],
  [/\bpass source "wtmpdb" or a path\b/g, CLI_ADVICE.source!],
  [/\bpass a path\b/g, CLI_ADVICE.source!],
  [/\bpass the uids option to look users up there\b/g, CLI_ADVICE.uids!],
  [/\bpass the path of one\b/g, CLI_ADVICE.path!],
  [/\bgiven by the layout option\b/g, () => "given by --layout"],
];

/** Deno's permission message: `Requires read access to "X", run again with the --allow-read flag`. */
const DENIED = /^Requires (\w+) access to "?(.*?)"?, run again with the (--allow-[\w-]+) flag/;

/** What each kind of Deno access does, as the start of a "Cannot ..." message. */
const ACCESS: Readonly<Record<string, string>> = {
  read: "read",
  all: "read",
  write: "write",
  env: "read the environment variable",
  sys: "ask the system for",
  net: "reach",
  ffi: "load the library",
  run: "run",
};

/**
 * A permission denial of the runtime (Deno's `NotCapable`), as one line
 * naming the flag that allows it.
 *
 * @param error The denial.
 * @returns "Cannot read "/var/run/utmp": not allowed (Deno needs --allow-read)".
 */
export function deniedMessage(error: Error): string {
  const m = DENIED.exec(error.message);
  if (m === null) return `Cannot go on: not allowed (${error.message})`;
  const [, access = "", what = "", flag = ""] = m;
  return `Cannot ${ACCESS[access] ?? `use ${access} access for`} "${what}": not allowed (Deno needs ${flag})`;
}

/** The permission denial an error is or was caused by, if any. */
function denial(error: unknown): Error | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (isPermissionDenial(e)) return e;
  }
  return undefined;
}

/**
 * The line the command line prints for an error (without the "utmp CMD: "
 * prefix or the newline).
 *
 * @param error Anything thrown.
 * @param command The command that failed ("who"), for advice that names it.
 * @returns The message in the command line's terms.
 */
export function cliMessage(error: unknown, command = "COMMAND"): string {
  const denied = denial(error);
  if (denied !== undefined) return deniedMessage(denied);
  if (!(error instanceof Error)) return String(error);
  let text = error.message;
  for (const [phrase, words] of PHRASES) text = text.replace(phrase, words(command));
  return text;
}

/** The C library's words (`strerror`) for the errors a write to standard output meets, by code. */
const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: "No space left on device",
  EDQUOT: "Disk quota exceeded",
  EFBIG: "File too large",
  EIO: "Input/output error",
  EBADF: "Bad file descriptor",
  EPIPE: "Broken pipe",
  EAGAIN: "Resource temporarily unavailable",
  EINVAL: "Invalid argument",
  EPERM: "Operation not permitted",
  EACCES: "Permission denied",
  ENXIO: "No such device or address",
  EROFS: "Read-only file system",
};

/**
 * The line for a failed write to standard output, as coreutils words it
 * ("write error: No space left on device"), with the error's code.
 *
 * @param error The runtime's error (Node's `ENOSPC: no space left on device, write`, Deno's `No space left on
 *   device (os error 28)`).
 * @returns "write error: No space left on device (ENOSPC)".
 */
export function writeErrorMessage(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && Object.hasOwn(WRITE_ERRORS, code)) {
    return `write error: ${WRITE_ERRORS[code]} (${code})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  // Node: "ECODE: text, write"; Deno: "Text (os error N)".
  const text = message.replace(/^E[A-Z]+: /, "").replace(/, write$/, "").replace(/ \(os error \d+\)$/, "");
  const said = text.charAt(0).toUpperCase() + text.slice(1);
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? `write error: ${said} (${code})` : `write error: ${said}`;
}

/**
 * A file a command writes (`dump --reverse -o FILE`) that cannot be written,
 * as one line in the words of the other errors (`Cannot write "X": no such
 * directory (ENOENT); check the path`), not the runtime's. A runtime
 * permission denial is passed through (main() names the flag).
 *
 * @param error The runtime's error.
 * @param path The file.
 * @returns The error to throw.
 */
export function writeFileError(error: unknown, path: string): unknown {
  if (isPermissionDenial(error)) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") return error;
  const q = quotePath(path);
  const why = code === "ENOENT"
    ? "no such directory (ENOENT); check the path"
    : code === "EISDIR"
    ? "it is a directory (EISDIR); name a file to write"
    : code === "ENOTDIR"
    ? "a component of the path is not a directory (ENOTDIR)"
    : `${Object.hasOwn(WRITE_ERRORS, code) ? WRITE_ERRORS[code]!.toLowerCase() : "failed"} (${code})`;
  return new UtmpFileError(`Cannot write ${q}: ${why}`, code, path, error);
}
