/**
 * A stand-in C library for the libc backend's logic on systems this machine
 * cannot run (macOS, FreeBSD, NetBSD, illumos, musl): it answers as FORMATS.md
 * §15.1 and §15.4 say each libc does, and logs every call.
 *
 * @module
 */

import type { FfiBackend, UtmpxLibrary } from "../../src/ffi/symbols.ts";
import { RecordView } from "../../src/layouts/decode.ts";
import type { UtmpRecordObject } from "../../mod.ts";
import type { RecordSource } from "../../src/backends/_source.ts";

/** How the stand-in behaves. */
export interface FakeLibc {
  /** Structs `getutxent()` returns once a file is selected and opened, in order. */
  records: (path: string) => Uint8Array[];
  /** `utmpxname()`'s answer for a path (absent: the libc has none). */
  utmpxname?: (path: string) => number;
  /** `setutxdb()`'s answer (absent: the libc has none). */
  setutxdb?: (type: number, path: string) => number;
  /** Throw from the n-th `getutxent()` call (from 0). */
  throwAt?: number;
}

const decoder = new TextDecoder();

/** A NUL-terminated buffer as a string; throws if the NUL is missing. */
function cstring(bytes: Uint8Array | null): string {
  if (bytes === null) return "NULL";
  if (bytes.at(-1) !== 0) throw new Error("string passed to C without a terminating NUL");
  return decoder.decode(bytes.subarray(0, -1));
}

/** The stand-in library and its call log. */
export function fakeLibc(behaviour: FakeLibc): { lib: UtmpxLibrary; calls: string[] } {
  const calls: string[] = [];
  let selected = "";
  let queue: Uint8Array[] | undefined;
  let gets = 0;
  const lib: UtmpxLibrary = {
    path: "libfake.so.1",
    setutxent(): void {
      calls.push("setutxent");
      queue = behaviour.records(selected);
    },
    getutxent(into: Uint8Array): boolean {
      calls.push("getutxent");
      if (behaviour.throwAt === gets++) throw new Error("getutxent failed");
      queue ??= behaviour.records(selected);
      const next = queue.shift();
      if (next === undefined) return false;
      into.set(next);
      return true;
    },
    endutxent(): void {
      calls.push("endutxent");
      queue = undefined;
    },
    utmpxname: behaviour.utmpxname === undefined ? undefined : (file) => {
      const path = cstring(file);
      calls.push(`utmpxname ${path}`);
      selected = path;
      return behaviour.utmpxname!(path);
    },
    setutxdb: behaviour.setutxdb === undefined ? undefined : (type, file) => {
      const path = cstring(file);
      calls.push(`setutxdb ${type} ${path}`);
      const result = behaviour.setutxdb!(type, path);
      if (result === 0) {
        selected = path;
        queue = behaviour.records(path);
      }
      return result;
    },
    close(): void {
      calls.push("close");
    },
  };
  return { lib, calls };
}

/** An FFI that hands out one library (or fails to load), recording what it was asked for. */
export function fakeFfi(lib: UtmpxLibrary | Error, permitted = true): FfiBackend & { opened: string[][] } {
  const opened: string[][] = [];
  return {
    opened,
    permitted: () => permitted,
    env: () => undefined,
    open(candidates: readonly string[], os: string): Promise<UtmpxLibrary> {
      opened.push([...candidates, os]);
      return lib instanceof Error ? Promise.reject(lib) : Promise.resolve(lib);
    },
  };
}

/** Every record a source yields, as plain objects (without UtmpFile's validation). */
export async function drain(source: RecordSource): Promise<UtmpRecordObject[]> {
  const out: UtmpRecordObject[] = [];
  try {
    for (let chunk = await source.next(); chunk !== null; chunk = await source.next()) {
      for (let at = 0; at < chunk.bytes.length; at += chunk.codec.layout.size) {
        out.push(new RecordView(chunk, at).toJSON());
      }
    }
  } finally {
    await source.release();
  }
  return out;
}
