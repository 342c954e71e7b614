/**
 * Byte spans of a layout's fields, for the overlap and bounds tests.
 *
 * @module
 */

import type { Layout } from "../../src/layouts/_engine.ts";

const WIDTH = { u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 } as const;

/** `[field, start, end)` of every field the layout has, by start offset. */
export function fieldSpans(layout: Layout): [string, number, number][] {
  const spans: [string, number, number][] = [];
  for (const [name, field] of Object.entries(layout.fields)) {
    const size = "size" in field ? field.size : WIDTH[field.type as keyof typeof WIDTH];
    spans.push([name, field.offset, field.offset + size]);
  }
  return spans.sort((a, b) => a[1] - b[1]);
}
