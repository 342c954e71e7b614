/**
 * Rule of issue 17: every reader is linear in its input. Here `dump
 * --reverse` (utmpdump -r) over a line of megabytes with no newline, fed in
 * the pieces a pipe gives: it joined each piece to all the line before it,
 * so 32 MB took 14 s (utmpdump -r: 0.07 s, its `fgets` reading 1022 bytes at
 * a time). The output stays utmpdump's, byte for byte.
 *
 * @module
 */

import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { test } from "../_harness.ts";
import { oracle } from "../cli/_run.ts";
import { tempDir } from "../_util.ts";

const RECORD =
  "[7] [03003] [ts/0] [bob     ] [pts/0       ] [10.0.0.5            ] [10.0.0.5       ] [2023-11-14T22:46:40,000000+00:00]\n";

/** A record, a line of `n` bytes without a newline (brackets here and there: pieces that parse as records), a record. */
function input(n: number): Uint8Array {
  const record = new TextEncoder().encode(RECORD);
  const text = new Uint8Array(record.length + n + 1 + record.length).fill(0x78);
  text.set(record, 0);
  for (let i = 0; i + record.length < n; i += 1022 * 97) text.set(record.subarray(0, -1), record.length + i);
  text[record.length + n] = 0x0a;
  text.set(record, record.length + n + 1);
  return text;
}

/** `utmp dump --reverse` with standard input in 64 KiB pieces, as a pipe gives them: output and milliseconds. */
async function reverse(text: Uint8Array): Promise<{ out: Uint8Array; ms: number }> {
  const parts: Uint8Array[] = [];
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < text.length; at += 65536) yield text.subarray(at, at + 65536);
  }
  const started = Date.now();
  const code = await main(["dump", "--reverse"], {
    out: (chunk) => void parts.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk.slice()),
    err: () => {},
    stdin: pieces(),
  });
  const ms = Date.now() - started;
  assert.equal(code, 0);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return { out, ms };
}

test("main() dump --reverse is linear in the length of a line, and writes what utmpdump -r writes for it", async () => {
  const small = input(8 << 20);
  const large = input(32 << 20);
  const a = await reverse(small);
  const b = await reverse(large);
  using t = tempDir();
  for (const [text, ran] of [[small, a], [large, b]] as const) {
    // From a file: a pipe this large both ways could stall the runtime's spawnSync.
    const theirs = oracle("utmpdump", ["-r", t.file("text", text)]).out;
    assert.equal(ran.out.length, theirs.length);
    let differ = -1;
    for (let i = 0; i < theirs.length && differ === -1; i++) if (ran.out[i] !== theirs.charCodeAt(i)) differ = i;
    assert.equal(differ, -1, "the same bytes as utmpdump -r");
  }
  assert.ok(b.out.length >= 2 * 384 + 300 * 384, `the records in the line's pieces too: ${b.out.length} bytes`);
  // Four times the input: about four times the time (it was sixteen). Generous, for a loaded machine.
  assert.ok(b.ms < 8 * a.ms + 2000, `8 MB: ${a.ms} ms, 32 MB: ${b.ms} ms`);
});
