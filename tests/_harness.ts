/**
 * One test API for Deno, Node and Bun, so the same test files run in all
 * three: `Deno.test` under Deno, `node:test` under Node, `bun:test` under Bun.
 * Tests use `node:` modules for everything else.
 *
 * @module
 */

/** Options of {@link test}. */
export interface TestOptions {
  /** Skip the test (with the reason in the name of the condition). */
  ignore?: boolean;
  /** Deno only: run with these permissions (e.g. "none" to prove a module is pure). */
  permissions?: "none" | Record<string, unknown>;
  /** Deno only: turn the resource sanitizer off (say why at the call). */
  sanitizeResources?: boolean;
  /** Deno only: turn the async-op sanitizer off (say why at the call). */
  sanitizeOps?: boolean;
}

type Body = () => void | Promise<void>;
type Register = (name: string, fn: Body, options: TestOptions) => void;

interface DenoLike {
  test(definition: { name: string; fn: Body } & TestOptions): void;
}
interface NodeTest {
  test(name: string, options: { skip?: boolean }, fn: Body): void;
}
interface BunTest {
  test: ((name: string, fn: Body, timeout?: number) => void) & { skip(name: string, fn: Body): void };
}

const g = globalThis as { Deno?: DenoLike; Bun?: unknown };

async function pick(): Promise<Register> {
  const deno = g.Deno;
  if (deno !== undefined) return (name, fn, options) => deno.test({ name, fn, ...options });
  if (g.Bun !== undefined) {
    const bun = await import("bun:test" as string) as BunTest;
    return (name, fn, options) => (options.ignore ? bun.test.skip(name, fn) : bun.test(name, fn, 120_000));
  }
  const node = await import("node:test" as string) as NodeTest;
  return (name, fn, options) => node.test(name, { skip: options.ignore ?? false }, fn);
}

const register = await pick();

/**
 * Registers a test.
 *
 * @param name `"<symbol>() <criterion>"`.
 * @param fn The test body.
 * @param options Skip condition and Deno-only settings.
 */
export function test(name: string, fn: Body, options: TestOptions = {}): void {
  register(name, fn, options);
}
