/**
 * `--json` made safe to show on a terminal: `JSON.stringify`'s text with
 * what it leaves raw that a terminal acts on written as `\uXXXX`. No C
 * tool's output (the C tools have no JSON); the same JSON value.
 *
 * @module
 */

/** Characters `JSON.stringify` leaves as they are that must not reach a terminal: DEL, C1, Cf, Zl, Zp. */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;
/** Any character beyond ASCII (the only place those can be). */
const NOT_ASCII = /[\x7f-\uffff]/;

/**
 * JSON text with the characters `JSON.stringify` leaves raw that a terminal
 * acts on (DEL, C1 controls, format characters such as the bidi overrides,
 * U+2028/U+2029) written as `\uXXXX` escapes: the same JSON value, still
 * valid JSON, safe to show.
 *
 * @example A C1 CSI in a user name
 * ```ts
 * import { safeJson } from "./json.ts";
 * import assert from "node:assert/strict";
 *
 * const json = safeJson(JSON.stringify({ ut_user: "c1\u009b2J" }));
 * assert.equal(json, '{"ut_user":"c1\\u009b2J"}');
 * assert.deepEqual(JSON.parse(json), { ut_user: "c1\u009b2J" });
 * ```
 *
 * @param json The text `JSON.stringify` made.
 * @returns The same JSON, escaped.
 */
export function safeJson(json: string): string {
  if (!NOT_ASCII.test(json)) return json;
  return json.replace(JSON_UNSAFE, (c) => {
    let out = "";
    for (let i = 0; i < c.length; i++) out += "\\u" + c.charCodeAt(i).toString(16).padStart(4, "0");
    return out;
  });
}
