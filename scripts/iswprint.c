/*
 * Writes src/_internal/escape/_iswprint.ts: the code points from U+0080 up that glibc's
 * iswprint() accepts in the C.UTF-8 locale, as ranges. util-linux's
 * fputs_careful (last, lastb) prints a character as it is where iswprint()
 * accepts it and escapes it byte by byte otherwise, so utmp last matches it
 * only with glibc's own table, not with Unicode's current categories.
 *
 *   cc -O2 -o /tmp/iswprint scripts/iswprint.c && /tmp/iswprint > src/_internal/escape/_iswprint.ts
 */
#include <gnu/libc-version.h>
#include <locale.h>
#include <stdio.h>
#include <wctype.h>

int main(void) {
  if (setlocale(LC_ALL, "C.UTF-8") == NULL) return 1;
  printf("/**\n * The code points from U+0080 up that glibc %s's `iswprint()` accepts in\n", gnu_get_libc_version());
  printf(" * C.UTF-8: what util-linux's `fputs_careful` prints as it is. Inclusive\n");
  printf(" * ranges in hex, \"first-last\", ascending. Written by scripts/iswprint.c\n");
  printf(" * (do not edit); tests/cli/iswprint_test.ts checks it against the C\n");
  printf(" * library of the machine the tests run on.\n *\n * @module\n */\n\n");
  printf("/** The ranges, separated by spaces. */\nexport const PRINTABLE_RANGES: string =");
  int inside = 0, column = 200;
  unsigned first = 0;
  for (unsigned c = 0x80; c <= 0x110000; c++) {
    int p = c < 0x110000 && iswprint((wint_t)c);
    if (p && !inside) { first = c; inside = 1; }
    else if (!p && inside) {
      char range[32];
      int n = snprintf(range, sizeof range, "%x-%x ", first, c - 1);
      if (column + n > 108) { printf("%s\n  \"", column == 200 ? "" : "\" +"); column = 3; }
      fputs(range, stdout);
      column += n;
      inside = 0;
    }
  }
  printf("\";\n");
  return 0;
}
