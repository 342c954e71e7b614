/**
 * Command-line parsing as GNU `getopt_long` does it, so the commands accept
 * what coreutils and util-linux accept: clustered short options (`-bH`),
 * attached and separate arguments (`-n5`, `-n 5`, `--limit=5`, `--limit 5`),
 * unambiguous prefixes of long options (`--full` for `--fulltimes`), options
 * after operands, and `--` to end the options.
 *
 * @module
 */

/** One option a command accepts. */
export interface OptionSpec {
  /** Key the parsed value is reported under. */
  key: string;
  /** Short letter, without "-". */
  short?: string;
  /** Long name, without "--". */
  long?: string;
  /** Whether the option takes an argument. */
  arg?: boolean;
  /**
   * Whether only the whole long name is accepted, not a prefix of it: for the
   * global options (`--root`) mixed into a command's own, so that a prefix
   * the command's tool accepts (who's `--r` for `--runlevel`) stays its own.
   */
  exact?: boolean;
}

/** What {@link parseArgs} found, in command-line order. */
export interface ParsedArgs {
  /** Options as [key, value] pairs in order (value "" for options without argument). */
  options: [string, string][];
  /** The operands (arguments that are not options). */
  operands: string[];
}

/** A command-line mistake: the message is shown with a hint to `--help`, and the exit code is 2. */
export class UsageError extends Error {
  /** Always "UsageError". */
  override readonly name = "UsageError";
}

/** Options of {@link parseArgs}. */
export interface ParseOptions {
  /** Accept `-0` .. `-9` as digits of a count (last's `-5`), reported under this key, one digit each. */
  digitsKey?: string;
}

/**
 * Parses arguments against option specs.
 *
 * @param argv The arguments after the command name.
 * @param specs The options.
 * @param options Digit options.
 * @returns Options in order, and operands.
 * @throws {UsageError} For an unknown or ambiguous option, or a missing or unexpected argument.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  options: ParseOptions = {},
): ParsedArgs {
  const parsed: ParsedArgs = { options: [], operands: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      parsed.operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = findLong(specs, name);
      if (eq !== -1) {
        if (!spec.arg) throw new UsageError(`option '--${spec.long}' doesn't allow an argument`);
        parsed.options.push([spec.key, arg.slice(eq + 1)]);
      } else if (spec.arg) {
        if (i + 1 >= argv.length) throw new UsageError(`option '--${spec.long}' requires an argument`);
        parsed.options.push([spec.key, argv[++i]!]);
      } else parsed.options.push([spec.key, ""]);
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (options.digitsKey !== undefined && letter >= "0" && letter <= "9") {
          parsed.options.push([options.digitsKey, letter]);
          continue;
        }
        const spec = specs.find((s) => s.short === letter);
        if (spec === undefined) throw new UsageError(`invalid option -- '${letter}'`);
        if (!spec.arg) {
          parsed.options.push([spec.key, ""]);
          continue;
        }
        if (j + 1 < arg.length) parsed.options.push([spec.key, arg.slice(j + 1)]);
        else if (i + 1 < argv.length) parsed.options.push([spec.key, argv[++i]!]);
        else throw new UsageError(`option requires an argument -- '${letter}'`);
        break;
      }
      continue;
    }
    parsed.operands.push(arg);
  }
  return parsed;
}

/** The spec a long name or an unambiguous prefix of one names. */
function findLong(specs: readonly OptionSpec[], name: string): OptionSpec {
  const exact = specs.find((s) => s.long === name);
  if (exact !== undefined) return exact;
  const matches = specs.filter((s) => s.long !== undefined && !s.exact && s.long.startsWith(name));
  // Several names for one key (--mesg, --message) are one option, as getopt_long treats them.
  const keys = new Set(matches.map((s) => s.key));
  if (name === "" || matches.length === 0) throw new UsageError(`unrecognized option '--${name}'`);
  if (keys.size > 1) {
    throw new UsageError(
      `option '--${name}' is ambiguous; possibilities: ${matches.map((s) => `'--${s.long}'`).join(" ")}`,
    );
  }
  return matches[0]!;
}
