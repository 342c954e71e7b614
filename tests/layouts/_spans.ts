/**
 * Byte spans of a layout's fields, for the overlap and bounds tests.
 *
 * @module
 */

import { fieldWidth, type Layout } from "../../src/layouts/schema.ts";

/** `[field, start, end)` of every field the layout has, by start offset. */
export function fieldSpans(layout: Layout): [string, number, number][] {
  const spans: [string, number, number][] = [];
  for (const [name, field] of Object.entries(layout.fields)) {
    spans.push([name, field.offset, field.offset + fieldWidth(field)]);
  }
  return spans.sort((a, b) => a[1] - b[1]);
}
