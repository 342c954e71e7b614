/**
 * A record file opened and its layout resolved, the one way the cursor
 * does both: opened without blocking (`openLiveFile`), decompressed when it
 * is gzip or zstd (`_decompress.ts`), its layout given or detected from the
 * regions detection asks for (`resolveLayout`), and for a followed file one
 * of fixed-size records ({@link assertFollowable}).
 *
 * @module
 */

import { arch, platform } from "../_internal/runtime.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import type { Detection, Sample } from "../layouts/_plausible.ts";
import { nativeLastlogLayoutName, nativeLayoutName } from "../layouts/native.ts";
import { detectionRegions, resolveLayout } from "../layouts/resolve.ts";
import { isFramed, type Layout, type LayoutKind } from "../layouts/schema.ts";
import { type ByteSource, openLiveFile } from "./_byte_source.ts";
import { decompressed } from "./_decompress.ts";

/** How to open a record file and resolve its layout. */
export interface ResolveOpenOptions {
  /** A layout name, or "auto" to detect it from the content. */
  layout: string;
  /** What kind of file: login records (default) or a lastlog. */
  kind?: LayoutKind;
  /** Layout to choose when the content cannot tell (default: this machine's own of the kind). */
  prefer?: string | undefined;
  /** What to tell the user when the file is missing. */
  hint?: string | undefined;
  /** Open without following a symbolic link at the last component (a path resolved under a root). */
  noFollow?: boolean | undefined;
  /** The file is followed as it grows: its layout must be of fixed-size records. */
  follow?: boolean;
}

/**
 * Refuses a layout whose records cannot be followed one by one as a file
 * grows (FreeBSD's length-prefixed utx.log: a record's place depends on all
 * before it): the one check for `watch()`, whether the layout was given or
 * detected.
 *
 * @param layout The file's layout.
 * @param path The file, for the message.
 * @throws {RangeError} For a framed layout.
 */
export function assertFollowable(layout: Layout, path: string): void {
  if (!isFramed(layout)) return;
  throw new RangeError(
    `Cannot watch ${
      quotePath(path)
    }: its layout "${layout.name}" is not of fixed-size records, which alone can be followed`,
  );
}

/**
 * Opens a record file and resolves its layout (the file closed again when that fails).
 *
 * @param path Where the file is now.
 * @param options The layout option, kind, preference and how to open.
 * @param known The layout already known for the file opened, if any (not detected again).
 * @param name The path messages name (the one the reader was given).
 * @returns The open file (decompressed if it was compressed) and its layout.
 * @throws {UtmpFileError} When it cannot be opened. {@link resolveFile} throws the rest.
 */
export async function openResolved(
  path: string,
  options: ResolveOpenOptions,
  known: (file: ByteSource) => Detection | undefined,
  name: string = path,
): Promise<{ file: ByteSource; detection: Detection }> {
  // A compressed file is read as its content: decompressed under the cursor, then read like any other.
  const file = await decompressed(await openLiveFile(path, options.hint, options.noFollow ?? false));
  try {
    return { file, detection: known(file) ?? await resolveFile(file, options, name) };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * The layout of an open file: the one given, or detected from the regions
 * {@link detectionRegions} names (the one place a file's layout is chosen).
 *
 * @param file The open file.
 * @param options The layout option, kind, preference, and whether the file is followed.
 * @param name The path messages name.
 * @returns The layout, with confidence and reason.
 * @throws {RangeError} For an unknown layout, or a framed one to follow.
 * @throws {UtmpFormatError} When detection finds no layout that fits.
 */
export async function resolveFile(file: ByteSource, options: ResolveOpenOptions, name: string): Promise<Detection> {
  const kind = options.kind ?? "utmp";
  const size = file.statNow().size;
  const samples: Sample[] = [];
  if (options.layout === "auto") {
    for (const region of detectionRegions(kind, size)) {
      const bytes = new Uint8Array(region.length);
      const n = region.length === 0 ? 0 : await file.read(bytes, region.offset);
      samples.push({ offset: region.offset, bytes: bytes.subarray(0, n) });
    }
  }
  const prefer = options.prefer ??
    (kind === "lastlog" ? nativeLastlogLayoutName(platform, arch) : nativeLayoutName(platform, arch));
  const detection = resolveLayout(options.layout, kind, samples, size, { path: name, prefer });
  if (options.follow) assertFollowable(detection.layout, name);
  return detection;
}
