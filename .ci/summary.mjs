// Sums the JUnit reports in a directory (Deno, Node and Bun all write JUnit)
// and prints one line per report, then the closing "N passed, M failed".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const out = (line) => process.stdout.write(line + "\n");
const dir = process.argv[2] ?? ".ci/out";
let passed = 0, failed = 0, reports = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith(".xml")).sort()) {
  const xml = readFileSync(join(dir, name), "utf8");
  // Count <testcase> elements; a case failed if it holds <failure> or <error>; skipped cases are neither.
  // Attribute values may hold ">" (Node writes test names unescaped), so quoted values are skipped whole.
  let p = 0, f = 0, s = 0;
  for (const m of xml.matchAll(/<testcase\b(?:[^>"']|"[^"]*"|'[^']*')*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    if (/<(failure|error)\b/.test(body)) f++;
    else if (/<skipped\b/.test(body)) s++;
    else p++;
  }
  reports++;
  passed += p;
  failed += f;
  out(`${name.replace(/\.xml$/, "")}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ""}`);
}
if (reports === 0) {
  out("no test reports found");
  failed++;
}
out(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
