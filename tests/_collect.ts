/**
 * Collects what a test reads: any async iterable's items (`all`), a file's
 * records as plain objects with its warnings (`collect`).
 *
 * @module
 */

import { UtmpFile, type UtmpFileOptions, type UtmpRecordObject, type UtmpWarning } from "../mod.ts";

/** Every item of an async iterable, in order. */
export function all<T>(items: AsyncIterable<T>): Promise<T[]>;
/** Every item of an async iterable through `map`, called as each comes (a reused record is read in its turn). */
export function all<T, U>(items: AsyncIterable<T>, map: (item: T) => U): Promise<U[]>;
export async function all<T, U>(items: AsyncIterable<T>, map?: (item: T) => U): Promise<(T | U)[]> {
  const out: (T | U)[] = [];
  for await (const item of items) out.push(map === undefined ? item : map(item));
  return out;
}

/** Every record of a file, as `toJSON()` objects, with the file's warnings. */
export async function collect(
  path: string,
  options: UtmpFileOptions = {},
): Promise<{ records: UtmpRecordObject[]; warnings: UtmpWarning[]; layout: string | undefined }> {
  const file = new UtmpFile(path, options);
  const records = await all(file, (u) => u.toJSON());
  return { records, warnings: file.warnings, layout: file.layout?.name };
}
