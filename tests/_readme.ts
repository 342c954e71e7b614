/**
 * The code blocks of a Markdown file, for the checks that README examples
 * type-check and run (`tests/readme_test.ts` for README.md in Deno,
 * `scripts/npm_package_test.ts` for the npm README in Node).
 *
 * The convention the READMEs follow: a block fenced as `ts` is a whole
 * program that type-checks and runs as it is, on any machine (one that
 * reads the live system must cope with a system that keeps no login
 * records); a block fenced as `ts no-run` type-checks but is not run,
 * because it reads a file the machine may not have (`/var/log/wtmp`), waits
 * for events, or is a fragment showing a call. Blocks fenced as `js` follow
 * the same rule (run, not type-checked); other blocks (`sh`, `text`) are not
 * checked.
 *
 * @module
 */

/** One fenced block. */
export interface CodeBlock {
  /** The language of the info string ("ts", "js", "sh"). */
  lang: string;
  /** The words after it ("no-run"). */
  flags: string[];
  /** The block's text, with a final newline. */
  code: string;
  /** The line of the opening fence, from 1. */
  line: number;
}

/**
 * The fenced code blocks of a Markdown text, in order.
 *
 * @param markdown The text.
 * @returns Its blocks.
 * @throws {SyntaxError} For a fence that is never closed.
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S+)(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i === lines.length) throw new SyntaxError(`Cannot find the end of the block at line ${start + 1}`);
    blocks.push({
      lang: open[1]!,
      flags: open[2]!.trim().split(/\s+/).filter((f) => f !== ""),
      code: body.join("\n") + "\n",
      line: start + 1,
    });
  }
  return blocks;
}

/**
 * Whether a block is run, not only type-checked.
 *
 * @param block A block.
 * @returns False for `no-run` blocks.
 */
export const runs = (block: CodeBlock): boolean => !block.flags.includes("no-run");
