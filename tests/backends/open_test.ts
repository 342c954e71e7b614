/**
 * Opening a file to read (src/backends/_open.ts), asynchronously and
 * synchronously by one rule: the same code and message for a path the
 * system refuses, whichever reader is asked.
 */

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { UtmpFileError } from "../../src/errors.ts";
import { readRegularFile, readRegularFileSync } from "../../src/backends/_whole.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";

/** The error a read throws, as code and message. */
async function failure(read: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await read();
  } catch (error) {
    assert.ok(error instanceof UtmpFileError, String(error));
    return { code: error.code, message: error.message };
  }
  assert.fail("the read did not fail");
}

test("a path holding a NUL byte is EINVAL from the synchronous reader as from the asynchronous one", async () => {
  const path = "/etc/passwd\0.old";
  const sync = await failure(() => readRegularFileSync(path));
  assert.deepEqual(sync, {
    code: "EINVAL",
    message: 'Cannot open "/etc/passwd\\0.old": the path contains a NUL byte (EINVAL)',
  });
  assert.deepEqual(await failure(() => readRegularFile(path)), sync);
});

test("a missing file and a directory fail alike from the synchronous and the asynchronous reader", async () => {
  using t = tempDir();
  const tmp = t.dir;
  mkdirSync(join(tmp, "dir"));
  for (const name of ["missing", "dir"]) {
    const path = join(tmp, name);
    assert.deepEqual(await failure(() => readRegularFileSync(path)), await failure(() => readRegularFile(path)));
  }
});
