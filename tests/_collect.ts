/**
 * Collects a file's records as plain objects (and its warnings).
 *
 * @module
 */

import { UtmpFile, type UtmpFileOptions, type UtmpRecordObject, type UtmpWarning } from "../mod.ts";

/** Every record of a file, as `toJSON()` objects, with the file's warnings. */
export async function collect(
  path: string,
  options: UtmpFileOptions = {},
): Promise<{ records: UtmpRecordObject[]; warnings: UtmpWarning[]; layout: string | undefined }> {
  const file = new UtmpFile(path, options);
  const records: UtmpRecordObject[] = [];
  for await (const u of file) records.push(u.toJSON());
  return { records, warnings: file.warnings, layout: file.layout?.name };
}
