// One benchmark side, the same file for Deno, Node and Bun (plain JavaScript, so Node runs it as it is):
//
//   <runtime> bench/workload.js MODULE MODE FILE [reuse]
//
// MODULE is the library's entry: ../mod.ts for Deno, ../npm/esm/mod.js for Node and Bun. MODE is
//   full     `for await` over UtmpFile, every field of every record read (what utmpdump prints)
//   count    `for await`, counting USER_PROCESS records (no string decoded)
//   batches  the same count over UtmpFile.batches()
// and two floors, which use no library code: what any reader pays in this runtime before it decodes a byte
//   floor-read     the file read through node:fs in 1 MiB reads into one reused buffer, nothing else
//   floor-iterate  `for await` over 1,000,000 ready-made objects, a Date made for each (the contract's ut_time)
// It prints one JSON line: the record count, a checksum over what was read (equal in every runtime), the
// time of the loop and the time until the first record came out, in milliseconds. With "reuse", the file is
// opened with `reuseBuffers: true`.

const [moduleUrl, mode, path, reuse] = globalThis.process.argv.slice(2);
const { UtmpFile } = await import(new URL(moduleUrl, import.meta.url).href);

/** @param {number} h @param {number} x */
const mix = (h, x) => (Math.imul(h, 31) + x) | 0;

const start = performance.now();
let first = -1;
let records = 0;
let check = 0;
const file = new UtmpFile(path, { layout: "linux", reuseBuffers: reuse === "reuse" });
if (mode === "full") {
  for await (const u of file) {
    if (records++ === 0) first = performance.now() - start;
    const e = u.ut_exit;
    const tv = u.ut_tv;
    let h = mix(check, u.ut_type.length);
    h = mix(h, u.ut_type_raw);
    h = mix(h, u.ut_pid);
    h = mix(h, u.ut_line.length);
    h = mix(h, u.ut_id.length);
    h = mix(h, u.ut_user.length);
    h = mix(h, u.ut_host.length);
    h = mix(h, e.e_termination + e.e_exit + u.ut_exit_code);
    h = mix(h, u.ut_session);
    h = mix(h, tv.tv_sec + tv.tv_usec);
    h = mix(h, u.ut_time.getTime());
    h = mix(h, u.ut_addr.length + u.ut_addr[0]);
    h = mix(h, u.ut_addr_text.length);
    h = mix(h, u.ut_user_process ? 1 : 0);
    check = h;
  }
} else if (mode === "count") {
  for await (const u of file) {
    if (records++ === 0) first = performance.now() - start;
    if (u.ut_type === "USER_PROCESS") check++;
  }
} else if (mode === "batches") {
  for await (const batch of file.batches()) {
    if (records === 0) first = performance.now() - start;
    records += batch.length;
    for (const u of batch) if (u.ut_type === "USER_PROCESS") check++;
  }
} else if (mode === "floor-read") {
  const { open } = await import("node:fs/promises");
  const handle = await open(path, "r");
  const buffer = new Uint8Array(1 << 20);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    if (position === 0) first = performance.now() - start;
    position += bytesRead;
    check = mix(check, buffer[0]);
  }
  records = Math.floor(position / 384);
  await handle.close();
} else if (mode === "floor-iterate") {
  const n = 1_000_000;
  const items = Array.from({ length: 1024 }, (_, i) => ({ sec: 1_600_000_000 + i }));
  const source = {
    i: 0,
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      return Promise.resolve(
        this.i < n ? { done: false, value: items[this.i++ & 1023] } : { done: true, value: undefined },
      );
    },
  };
  for await (const item of source) {
    if (records++ === 0) first = performance.now() - start;
    check = mix(check, new Date(item.sec * 1000).getTime());
  }
} else {
  throw new Error(`Cannot run mode "${mode}": expected full, count, batches, floor-read or floor-iterate`);
}
const ms = performance.now() - start;
globalThis.process.stdout.write(JSON.stringify({ mode, records, check, ms, first }) + "\n");
