// Sums the JUnit reports in a directory (Deno, Node and Bun all write JUnit)
// and prints one line per report, then why each failed case failed (the first
// lines of its message, so that a CI log's tail says it), then the closing
// "N passed, M failed".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";

const out = (line) => process.stdout.write(line + "\n");
const dir = process.argv[2] ?? ".ci/out";
let passed = 0, failed = 0, reports = 0;
const why = [];
const unescape = (text) =>
  text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, "&");
for (const name of readdirSync(dir).filter((n) => n.endsWith(".xml")).sort()) {
  const xml = readFileSync(join(dir, name), "utf8");
  const report = name.replace(/\.xml$/, "");
  // Count <testcase> elements; a case failed if it holds <failure> or <error>; skipped cases are neither.
  // Attribute values may hold ">" (Node writes test names unescaped), so quoted values are skipped whole.
  let p = 0, f = 0, s = 0;
  for (const m of xml.matchAll(/<testcase\b(?:[^>"']|"[^"]*"|'[^']*')*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    const failure = /<(?:failure|error)\b((?:[^>"']|"[^"]*"|'[^']*')*?)(?:\/>|>([\s\S]*?)<\/(?:failure|error)>)/.exec(
      body,
    );
    if (failure !== null) {
      f++;
      const title = /\bname="([^"]*)"/.exec(m[0]);
      // The element's text where it has one (Node drops the message attribute's line breaks), else the attribute.
      const text = failure[2]?.trim() ? failure[2] : /\bmessage="([^"]*)"/.exec(failure[1] ?? "")?.[1] ?? "";
      const lines = stripVTControlCharacters(unescape(text)).split("\n").map((l) => l.trim()).filter((l) => l !== "")
        .slice(0, 3);
      // Node escapes a test's name twice.
      why.push(
        `${report}: ${unescape(unescape(title?.[1] ?? "?"))}`,
        ...lines.map((l) => `    ${l.slice(0, 300)}`),
      );
    } else if (/<skipped\b/.test(body)) s++;
    else p++;
  }
  reports++;
  passed += p;
  failed += f;
  out(`${report}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ""}`);
}
if (why.length > 0) {
  out("\nwhy the failed cases failed (the first lines of each message):");
  for (const line of why.slice(0, 120)) out(line);
}
if (reports === 0) {
  out("no test reports found");
  failed++;
}
out(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
