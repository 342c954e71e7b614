/**
 * The locale, decided as glibc's `setlocale(LC_ALL, "")` decides it, which
 * coreutils and util-linux call first: each category's name is LC_ALL, else
 * LC_<category>, else LANG, else "C" (an empty value counts as unset); "C"
 * and "POSIX" are built in; any other name must be installed, and if one
 * category's name is not, the call fails and every category stays "C"
 * (`LANG=en_US.UTF-8` where only C.UTF-8 is installed prints what `LANG=C`
 * prints).
 *
 * "Installed" is what glibc 2.36 loads (locale/findlocale.c):
 *
 * - a name with a "/" not at its start, "..", or over 255 bytes is refused,
 *   and one starting with "/" is never found (glibc tries it as a directory
 *   name under the locale path);
 * - without `LOCPATH`, the locale archive (/usr/lib/locale/locale-archive)
 *   holds the name with its codeset normalized ("en_US.UTF-8" is stored as
 *   "en_US.utf8"), or the name it is an alias of in locale.alias;
 * - then each directory of `LOCPATH` (colon-separated) and /usr/lib/locale
 *   holds a directory `language[_territory][.codeset][@modifier]/LC_<category>`,
 *   the name as given or less specific: without its codeset (or with it
 *   normalized), territory or modifier.
 *
 * C.UTF-8 is not built in: glibc 2.35+ ships it as /usr/lib/locale/C.utf8.
 * One check of glibc's is not made: a name's codeset is not compared with
 * the codeset a less specific locale found for it holds.
 *
 * @module
 */

import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";

/** The categories `setlocale(LC_ALL, "")` sets, as glibc lists them. */
export const CATEGORIES = [
  "LC_CTYPE",
  "LC_NUMERIC",
  "LC_TIME",
  "LC_COLLATE",
  "LC_MONETARY",
  "LC_MESSAGES",
  "LC_PAPER",
  "LC_NAME",
  "LC_ADDRESS",
  "LC_TELEPHONE",
  "LC_MEASUREMENT",
  "LC_IDENTIFICATION",
] as const;

/** A locale category. */
export type Category = typeof CATEGORIES[number];

/** Where locales are looked up: the system's files, or a stand-in for tests. */
export interface LocaleSystem {
  /** An environment variable (undefined when unset). */
  env(name: string): string | undefined;
  /** The names the locale archive holds, or an empty set when there is none. */
  archive(): ReadonlySet<string>;
  /** Whether a path exists. */
  exists(path: string): boolean;
  /** The aliases of locale.alias, lower-cased alias to name. */
  aliases(): ReadonlyMap<string, string>;
}

/** A category's locale as `setlocale` left it. */
export interface LocaleChoice {
  /** The name `setlocale(category, NULL)` gives: "C" after a failure. */
  name: string;
  /** The codeset the name (or the locale found for it) names, normalized ("utf8"); "" for C. */
  codeset: string;
}

/** What `setlocale(LC_ALL, "")` left, per category. */
export interface Locales {
  /** Each category's locale ("C" in every one when a name asked for is not installed). */
  categories: Readonly<Record<Category, LocaleChoice>>;
}

/** The default locale directory (glibc's COMPLOCALEDIR). */
export const LOCALE_DIR = "/usr/lib/locale";
/** The locale archive. */
export const LOCALE_ARCHIVE = `${LOCALE_DIR}/locale-archive`;
/** glibc's alias file (LOCALE_ALIAS_PATH). */
export const LOCALE_ALIAS = "/usr/share/locale/locale.alias";

const C: LocaleChoice = { name: "C", codeset: "" };

/**
 * glibc's `_nl_normalize_codeset`: letters lower-cased, digits kept, the
 * rest dropped; "iso" before a codeset of digits only ("8859" -> "iso8859").
 *
 * @param codeset A codeset as named ("UTF-8").
 * @returns The normalized codeset ("utf8").
 */
export function normalizeCodeset(codeset: string): string {
  const kept = codeset.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
  return /^[0-9]*$/.test(kept) ? `iso${kept}` : kept;
}

/** The parts of `language[_territory][.codeset][@modifier]`. */
interface Parts {
  language: string;
  territory?: string;
  codeset?: string;
  normalized?: string;
  modifier?: string;
}

/** glibc's `_nl_explode_name`. */
function explode(name: string): Parts {
  const m = /^([^_.@]*)(?:_([^.@]*))?(?:\.([^@]*))?(?:@(.*))?$/s.exec(name)!;
  const parts: Parts = { language: m[1] ?? "" };
  if (m[2] !== undefined) parts.territory = m[2];
  if (m[3] !== undefined && m[3] !== "") {
    parts.codeset = m[3];
    const normalized = normalizeCodeset(m[3]);
    if (normalized !== m[3]) parts.normalized = normalized;
  }
  if (m[4] !== undefined) parts.modifier = m[4];
  return parts;
}

const TERRITORY = 4;
const CODESET = 2;
const NORMALIZED = 1;
const MODIFIER = 8;

/**
 * The directory names glibc tries for a name, most specific first
 * (`_nl_make_l10nflist`'s successors: every subset of the parts present,
 * never both codesets at once).
 */
function variants(parts: Parts): { name: string; codeset: string | undefined }[] {
  const mask = (parts.territory !== undefined ? TERRITORY : 0) | (parts.codeset !== undefined ? CODESET : 0) |
    (parts.normalized !== undefined ? NORMALIZED : 0) | (parts.modifier !== undefined ? MODIFIER : 0);
  const out: { name: string; codeset: string | undefined }[] = [];
  for (let bits = mask; bits >= 0; bits--) {
    if ((bits & ~mask) !== 0 || ((bits & CODESET) !== 0 && (bits & NORMALIZED) !== 0)) continue;
    let name = parts.language;
    let codeset: string | undefined;
    if (bits & TERRITORY) name += `_${parts.territory}`;
    if (bits & CODESET) name += `.${(codeset = parts.codeset)}`;
    if (bits & NORMALIZED) name += `.${(codeset = parts.normalized)}`;
    if (bits & MODIFIER) name += `@${parts.modifier}`;
    out.push({ name, codeset });
  }
  return out;
}

/** glibc's `valid_locale_name`, and a "/" anywhere (a path is never found). */
function plausible(name: string): boolean {
  return name.length <= 255 && !name.includes("/") && name !== "..";
}

/** The archive's form of a name: its codeset normalized. */
function archiveName(name: string): string {
  const dot = name.indexOf(".");
  if (dot === -1 || name[dot + 1] === "@" || dot + 1 === name.length) return name;
  const at = name.indexOf("@", dot);
  const rest = at === -1 ? "" : name.slice(at);
  return name.slice(0, dot + 1) + normalizeCodeset(name.slice(dot + 1, at === -1 ? undefined : at)) + rest;
}

/** `_nl_find_locale` for one category: the locale loaded, or undefined when none is found. */
function find(name: string, category: Category, system: LocaleSystem): LocaleChoice | undefined {
  if (name === "C" || name === "POSIX") return { name, codeset: "" };
  if (!plausible(name)) return undefined;
  const codesetOf = (found: string, requested: Parts): string =>
    requested.codeset !== undefined ? normalizeCodeset(requested.codeset) : explode(found).normalized ??
      explode(found).codeset?.toLowerCase() ?? "";
  const locpath = system.env("LOCPATH");
  const alias = system.aliases().get(name.toLowerCase());
  let dirs: string[];
  if (locpath === undefined || locpath === "") {
    const archive = system.archive();
    for (const candidate of alias === undefined ? [name] : [name, alias]) {
      if (plausible(candidate) && archive.has(archiveName(candidate))) {
        return { name, codeset: codesetOf(archiveName(candidate), explode(candidate)) };
      }
    }
    dirs = [LOCALE_DIR];
  } else {
    dirs = [...locpath.split(":").filter((d) => d !== ""), LOCALE_DIR];
  }
  const target = alias ?? name;
  if (!plausible(target)) return undefined;
  const parts = explode(target);
  for (const variant of variants(parts)) {
    for (const dir of dirs) {
      if (system.exists(`${dir}/${variant.name}/${category}`)) {
        return { name, codeset: codesetOf(variant.name, parts) };
      }
    }
  }
  return undefined;
}

/**
 * `setlocale(LC_ALL, "")`: every category's locale from the environment, or
 * all "C" when one of them is not installed.
 *
 * @param system Where to look (the system's files by default).
 * @returns The locale of each category.
 */
export function setlocaleAll(system: LocaleSystem): Locales {
  const get = (name: string): string | undefined => {
    const value = system.env(name);
    return value === "" ? undefined : value;
  };
  const categories = {} as Record<Category, LocaleChoice>;
  const all = get("LC_ALL");
  const lang = get("LANG");
  for (const category of CATEGORIES) {
    const name = all ?? get(category) ?? lang ?? "C";
    const found = find(name, category, system);
    if (found === undefined) {
      return { categories: Object.fromEntries(CATEGORIES.map((c) => [c, C])) as Record<Category, LocaleChoice> };
    }
    categories[category] = found;
  }
  return { categories };
}

/**
 * The names a glibc locale archive holds (`struct locarhead` and its name
 * hash table, read in place; the locale data is not read).
 *
 * @param path The archive (/usr/lib/locale/locale-archive).
 * @returns Its names; empty when there is no archive or it is not one.
 * @throws What opening the file throws other than ENOENT (a permission denial).
 */
export function archiveNames(path: string = LOCALE_ARCHIVE): Set<string> {
  const names = new Set<string>();
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT" || (error as { code?: string }).code === "ENOTDIR") {
      return names;
    }
    throw error;
  }
  try {
    const read = (offset: number, length: number): Uint8Array => {
      const buffer = new Uint8Array(length);
      const n = readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, n);
    };
    const head = read(0, 56);
    if (head.length < 56) return names;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const magic = view.getUint32(0, true);
    const little = magic === 0xde020109;
    if (!little && view.getUint32(0, false) !== 0xde020109) return names;
    const u32 = (i: number): number => view.getUint32(i * 4, little);
    const [hashOffset, hashSize, stringOffset, stringUsed] = [u32(2), u32(4), u32(5), u32(6)];
    // An archive holds a few thousand names at most: refuse sizes no archive has.
    if (hashSize > 1 << 20 || stringUsed > 1 << 26) return names;
    const table = read(hashOffset, hashSize * 12);
    const strings = read(stringOffset, stringUsed);
    const entries = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const decoder = new TextDecoder("latin1");
    for (let i = 0; i + 12 <= table.length; i += 12) {
      const nameOffset = entries.getUint32(i + 4, little);
      const record = entries.getUint32(i + 8, little);
      if (nameOffset === 0 || record === 0) continue;
      const start = nameOffset - stringOffset;
      if (start < 0 || start >= strings.length) continue;
      const end = strings.indexOf(0, start);
      names.add(decoder.decode(strings.subarray(start, end === -1 ? undefined : end)));
    }
    return names;
  } finally {
    closeSync(fd);
  }
}

/**
 * glibc's locale.alias: `alias name` a line, `#` comments.
 *
 * @param path The alias file.
 * @returns Lower-cased alias to name; empty when the file is missing.
 */
export function aliasFile(path: string = LOCALE_ALIAS): Map<string, string> {
  const aliases = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return aliases;
    throw error;
  }
  for (const line of text.split("\n")) {
    const m = /^[ \t]*([^ \t#\n]+)[ \t]+([^ \t#\n]+)/.exec(line);
    if (m !== null && !aliases.has(m[1]!.toLowerCase())) aliases.set(m[1]!.toLowerCase(), m[2]!);
  }
  return aliases;
}

/**
 * The system's locale files, through `node:fs`.
 *
 * @param env How to read an environment variable.
 * @returns The system to decide with.
 */
export function systemLocales(env: (name: string) => string | undefined): LocaleSystem {
  let archive: Set<string> | undefined;
  let aliases: Map<string, string> | undefined;
  return {
    env,
    archive: () => (archive ??= archiveNames()),
    exists: (path) => {
      try {
        statSync(path);
        return true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "ENOENT" || code === "ENOTDIR" || code === "EACCES" || code === "ENAMETOOLONG") return false;
        throw error; // a runtime permission denial: the caller says so
      }
    },
    aliases: () => (aliases ??= aliasFile()),
  };
}
