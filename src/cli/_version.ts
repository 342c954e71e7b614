/**
 * The version `--version` prints; kept equal to deno.json's by a test.
 *
 * @module
 */

/** The package version. */
export const VERSION = "0.1.0";
