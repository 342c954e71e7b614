/**
 * `localtime()` (the command line's times) against the runtime's own `Date`,
 * and `TimeText` (the times of `last`, `who`: the date made once a day)
 * against the one-off formatters, in local time, in zones with daylight saving time, half-hour and
 * quarter-hour offsets, a skipped day and local mean time: it asks a `Date`
 * for the zone's offset once an hour and does the calendar itself, so every
 * minute around each change must still agree. Each zone runs in a child
 * process of the same runtime with TZ set (TZ is process-wide, and tests run
 * side by side).
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import process from "node:process";
import { test } from "../_harness.ts";

/** `_text` beside these tests: the TypeScript source under Deno, the compiled module under Node and Bun. */
const TEXT = new URL(`../../src/cli/_text.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url).href;

/** Compares localtime(t) with a Date's local fields at every minute near each time given, and at random times. */
const CHILD = `
const { ctime, isoLocal, localtime, TimeText, whoTime } = await import(${JSON.stringify(TEXT)});
// TimeText (the text of many times, its date made once a day) must write what the one-off formatters write.
const p2 = (n) => String(n).padStart(2, "0");
const formats = {
  "ctime": [(t) => ctime(t), 24],
  "ctime-minutes": [(t) => ctime(t).slice(0, 16), 16],
  "hhmm": [(t) => { const tm = localtime(t); return p2(tm.hour) + ":" + p2(tm.min); }, 5],
  "iso": [(t) => isoLocal(t), 25],
  "who-c": [(t) => whoTime(t, true), 12],
  "who": [(t) => whoTime(t, false), 16],
};
const texts = Object.fromEntries(Object.keys(formats).map((f) => [f, new TimeText(f)]));
const sink = { text: "", write(s) { this.text += s; }, pad(s, w, p) { s = s.slice(0, p); this.text += s.padEnd(w, " "); } };
const times = JSON.parse(process.env.TIMES);
let checked = 0;
const bad = [];
const check = (t) => {
  const d = new Date(t * 1000);
  const want = [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getDay(), -d.getTimezoneOffset()];
  const tm = localtime(t);
  const got = [tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, tm.wday, tm.gmtoff];
  checked++;
  if (got.join() !== want.join()) bad.push([t, got.join(), want.join()]);
  for (const [name, [format, width]] of Object.entries(formats)) {
    const text = format(t);
    if (texts[name].of(t) !== text) bad.push([t, name, texts[name].of(t), text]);
    sink.text = "";
    texts[name].writeTo(sink, t, width);
    if (sink.text !== text.slice(0, width).padEnd(width, " ")) bad.push([t, name + " writeTo", sink.text, text]);
  }
};
for (const center of times) for (let t = center - 2 * 86400; t <= center + 2 * 86400; t += 59) check(t);
let seed = 7;
for (let i = 0; i < 20000; i++) { seed = (seed * 1103515245 + 12345) % 2147483648; check(-2208988800 + seed * 2); }
process.stdout.write(JSON.stringify({ checked, bad: bad.slice(0, 5), offset: -new Date(times[0] * 1000).getTimezoneOffset() }));
`;

function childArgs(): string[] {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  if (runtime.Deno !== undefined) return ["eval", "--ext=js", CHILD];
  return ["--input-type=module", "-e", CHILD].slice(runtime.Bun !== undefined ? 1 : 0);
}

/** Zones and times (seconds since the epoch) near their offset changes. */
const ZONES: [string, number[]][] = [
  ["America/New_York", [Date.UTC(2023, 2, 12, 7) / 1000, Date.UTC(2023, 10, 5, 6) / 1000]],
  ["Europe/Berlin", [Date.UTC(2023, 2, 26, 1) / 1000, Date.UTC(2023, 9, 29, 1) / 1000]],
  ["Australia/Lord_Howe", [Date.UTC(2023, 3, 1, 15) / 1000, Date.UTC(2023, 8, 30, 15, 30) / 1000]], // 30-minute DST
  ["Asia/Kathmandu", [Date.UTC(1986, 0, 1) / 1000]], // +05:30 to +05:45
  ["America/St_Johns", [Date.UTC(2023, 2, 12, 5, 30) / 1000]], // -03:30
  ["Pacific/Apia", [Date.UTC(2011, 11, 30, 10) / 1000]], // 30 December 2011 skipped
  ["Europe/Amsterdam", [Date.UTC(1937, 6, 1) / 1000, Date.UTC(1916, 4, 1) / 1000]], // +00:19:32 local mean time
];

for (const [zone, times] of ZONES) {
  test(`localtime() and TimeText give a Date's local fields and text every minute around the offset changes of ${zone}`, () => {
    const out = execFileSync(process.execPath, childArgs(), {
      env: { ...process.env, TZ: zone, TIMES: JSON.stringify(times) },
      encoding: "utf8",
    });
    const result = JSON.parse(out) as { checked: number; bad: unknown[]; offset: number };
    assert.ok(result.checked > 20000);
    assert.notEqual(result.offset, 0, "the child did not take the zone");
    assert.deepEqual(result.bad, []);
  });
}
