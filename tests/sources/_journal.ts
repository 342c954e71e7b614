/**
 * Journal files written by systemd's own `systemd-journal-remote` (Debian
 * 13's, in the oracle root) from export-format input, and what
 * `journalctl -o json` reads in them: the oracles of the journal reader.
 *
 * @module
 */

import { gunzipSync } from "node:zlib";
import { debian13 } from "../_debian13.ts";

/** One journal entry to write: its fields (the `__REALTIME_TIMESTAMP`... ones included). */
export type ExportEntry = Readonly<Record<string, string>>;

const enc = new TextEncoder();

/**
 * Entries in the journal export format (`docs/JOURNAL_EXPORT_FORMATS.md`):
 * `KEY=value` lines, or for a value holding a newline the binary form (the
 * name, a newline, the length as 64-bit little-endian, the bytes, a newline).
 *
 * @param entries The entries.
 * @returns The export text's bytes.
 */
export function exportFormat(entries: readonly ExportEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    for (const [key, value] of Object.entries(e)) {
      if (!value.includes("\n")) parts.push(enc.encode(`${key}=${value}\n`));
      else {
        const bytes = enc.encode(value);
        const size = new Uint8Array(8);
        new DataView(size.buffer).setBigUint64(0, BigInt(bytes.length), true);
        parts.push(enc.encode(`${key}\n`), size, bytes, enc.encode("\n"));
      }
    }
    parts.push(enc.encode("\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What {@link journalRemote} made. */
export interface Written {
  /** Each journal file's bytes, by the name asked for. */
  files: Record<string, Uint8Array>;
  /** `journalctl -o json` over each file (`--file`), its entries. */
  json: Record<string, Record<string, unknown>[]>;
  /** `journalctl -o json` over all of them (`--directory`), merged as journalctl merges them. */
  merged: Record<string, unknown>[];
}

/**
 * Writes journal files with Debian 13's `systemd-journal-remote`, one per
 * name ("system.journal", "system@x.journal", ...), each from its entries,
 * and reads them back with its `journalctl -o json`.
 *
 * @param files The entries of each file, by file name.
 * @param env Environment of the writer (`SYSTEMD_JOURNAL_COMPRESS=LZ4`, `SYSTEMD_JOURNAL_COMPACT=0`).
 * @returns The files and journalctl's reading.
 * @throws {Error} When the Debian 13 root cannot be had.
 */
export function journalRemote(
  files: Record<string, readonly ExportEntry[]>,
  env: Record<string, string> = {},
): Written {
  const names = Object.keys(files);
  const put: Record<string, Uint8Array> = {};
  names.forEach((name, i) => put[`/run/j/in/${i}.export`] = exportFormat(files[name]!));
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ");
  const script = [
    "set -e",
    "mkdir -p /run/j/out",
    ...names.map((name, i) =>
      `env ${vars} /usr/lib/systemd/systemd-journal-remote --output=/run/j/out/${name} /run/j/in/${i}.export 2>/dev/null`
    ),
    ...names.map((name) => `echo "== json ${name}"; journalctl --file=/run/j/out/${name} -o json`),
    `echo "== merged"; journalctl --directory=/run/j/out -o json`,
    ...names.map((name) => `echo "== file ${name}"; gzip -c /run/j/out/${name} | base64 -w0; echo`),
  ].join("\n");
  const ran = debian13(["sh", "-c", script], { files: put });
  if (ran.code !== 0) throw new Error(`systemd-journal-remote failed (exit ${ran.code}): ${ran.err}`);
  const out: Written = { files: {}, json: {}, merged: [] };
  let section: string[] = [];
  const sections = new Map<string, string[]>();
  for (const line of ran.out.split("\n")) {
    if (line.startsWith("== ")) sections.set(line.slice(3), section = []);
    else if (line !== "") section.push(line);
  }
  const parse = (lines: string[] | undefined) =>
    (lines ?? []).map((l) => JSON.parse(new TextDecoder().decode(Uint8Array.from(l, (c) => c.charCodeAt(0)))));
  for (const name of names) {
    out.json[name] = parse(sections.get(`json ${name}`));
    const b64 = sections.get(`file ${name}`)?.[0] ?? "";
    out.files[name] = new Uint8Array(gunzipSync(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
  }
  out.merged = parse(sections.get("merged"));
  return out;
}

/** A boot id and machine id of the scenes (any 32 hex digits). */
export const BOOT_ID = "0123456789abcdef0123456789abcdef";
export const MACHINE_ID = "fedcba9876543210fedcba9876543210";

/**
 * An entry as journald stores a syslog line of a process: its trusted
 * fields, the line, and the times.
 *
 * @param usec When it was received, µs since the epoch.
 * @param ident SYSLOG_IDENTIFIER ("sshd-session").
 * @param pid The process.
 * @param message The line.
 * @returns The entry.
 */
export function syslogEntry(usec: number, ident: string, pid: number, message: string): ExportEntry {
  return {
    __REALTIME_TIMESTAMP: String(usec),
    __MONOTONIC_TIMESTAMP: String(usec - 1_699_990_000_000_000),
    _BOOT_ID: BOOT_ID,
    _MACHINE_ID: MACHINE_ID,
    _HOSTNAME: "box",
    _TRANSPORT: "syslog",
    PRIORITY: "6",
    SYSLOG_FACILITY: "10",
    SYSLOG_IDENTIFIER: ident,
    SYSLOG_PID: String(pid),
    _PID: String(pid),
    _UID: "0",
    _COMM: ident,
    _SYSTEMD_UNIT: "ssh.service",
    MESSAGE: message,
  };
}
