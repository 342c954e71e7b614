/**
 * Reading files of several chunks: by default (a new buffer a chunk, records
 * readable as long as they are kept) and with `reuseBuffers` (two buffers
 * read into in turn). The oracle is what the encoder wrote: every
 * record's pid, user, line and time come from its index.
 */

import { CHUNK_BYTES } from "../src/layouts/decode.ts";
import assert from "node:assert/strict";
import { UtmpFile, type UtmpRecord } from "../mod.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../src/layouts/mod.ts";
import { test } from "./_harness.ts";
import { openOn, tempDir } from "./_util.ts";
import { all } from "./_collect.ts";

/** Records per chunk of 384-byte records. */
const PER_CHUNK = Math.floor(CHUNK_BYTES / 384);
const COUNT = 4 * PER_CHUNK + 123;

const input = (i: number): RecordInput => ({
  ut_type: "USER_PROCESS",
  ut_pid: i,
  ut_line: `pts/${i % 61}`,
  ut_user: `user${i}`,
  tv_sec: 1_000_000_000 + i,
});

/** What record `i` must read as. */
const want = (i: number): string => `${i} ${i} user${i} /dev/pts/${i % 61} ${1_000_000_000 + i} ${i * 384}`;
const seen = (u: UtmpRecord): string =>
  `${u.index} ${u.ut_pid} ${u.ut_user} ${u.ut_line} ${u.ut_tv.tv_sec} ${u.offset}`;

function withFile(body: (path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    using tmp = tempDir();
    await body(tmp.file("wtmp", encodeRecords(LAYOUTS.linux, Array.from({ length: COUNT }, (_, i) => input(i)))));
  };
}

for (const reuseBuffers of [false, true]) {
  test(
    `UtmpFile() reads every record of a file of several chunks as written${
      reuseBuffers ? ", reusing its buffers" : ""
    }`,
    withFile(async (path) => {
      const lines: string[] = await all(new UtmpFile(path, { reuseBuffers }), seen);
      assert.deepEqual(lines, Array.from({ length: COUNT }, (_, i) => want(i)));
      const batched: string[] = (await all(new UtmpFile(path, { reuseBuffers }).batches(), (b) => b.map(seen))).flat();
      assert.deepEqual(batched, lines);
    }),
  );

  test(
    `UtmpFile() reading ahead stops, continues and rewinds where it should${
      reuseBuffers ? ", reusing its buffers" : ""
    }`,
    withFile(async (path) => {
      const file = new UtmpFile(path, { reuseBuffers });
      const stop = 2 * PER_CHUNK + 7; // a read of the next chunk is under way
      for await (const u of file) if (u.index === stop) break;
      assert.equal(openOn(path), 0);
      const rest: number[] = await all(file, (u) => u.index);
      assert.deepEqual(rest, Array.from({ length: COUNT - stop - 1 }, (_, i) => stop + 1 + i));
      file.rewind();
      let first: string | undefined;
      for await (const u of file) {
        first = seen(u);
        break;
      }
      assert.equal(first, want(0));
      assert.equal(openOn(path), 0);
    }),
  );
}

test(
  "UtmpFile() keeps every record readable after the loop, its chunks read ahead",
  withFile(async (path) => {
    const records: UtmpRecord[] = await all(new UtmpFile(path));
    assert.deepEqual(records.map(seen), Array.from({ length: COUNT }, (_, i) => want(i)));
  }),
);

test(
  "UtmpFile() with reuseBuffers keeps a record readable in its chunk and the next, and refuses an older one",
  withFile(async (path) => {
    const all: UtmpRecord[] = [];
    const copies: string[] = [];
    let checked = 0;
    for await (const u of new UtmpFile(path, { reuseBuffers: true })) {
      all.push(u);
      copies.push(JSON.stringify(u));
      const chunk = Math.floor(u.index / PER_CHUNK);
      if (chunk >= 1 && u.index % PER_CHUNK === 0) {
        // The whole previous chunk is still there...
        const previous = all.slice((chunk - 1) * PER_CHUNK, chunk * PER_CHUNK);
        assert.deepEqual(previous.map(seen), previous.map((r) => want(r.index)));
        checked++;
      }
      if (chunk >= 2 && u.index % PER_CHUNK === 0 && (chunk + 1) * PER_CHUNK < COUNT) {
        // ...the one before it, once the next chunk is being read, is not: a field read throws, naming the
        // record, instead of giving another's bytes.
        const old = all[(chunk - 2) * PER_CHUNK + 5]!;
        assert.throws(
          () => old.ut_user,
          (e: unknown) => e instanceof TypeError && /record \d+ .*reuseBuffers/.test(e.message),
        );
        assert.throws(() => old.ut_tv, TypeError);
      }
    }
    assert.equal(checked, 4);
    // After the loop, the last two chunks are still there.
    assert.throws(() => all[3 * PER_CHUNK - 1]!.ut_pid, TypeError);
    assert.equal(seen(all[3 * PER_CHUNK]!), want(3 * PER_CHUNK));
    assert.equal(seen(all[COUNT - 1]!), want(COUNT - 1));
    // What was kept as JSON stays right.
    assert.deepEqual(
      copies.map((c) => JSON.parse(c) as { index: number; ut_user: string }).map((o) => `${o.index} ${o.ut_user}`),
      Array.from({ length: COUNT }, (_, i) => `${i} user${i}`),
    );
  }),
);
