/**
 * `utmp lastlog`: placeholder until the lastlog reader lands.
 *
 * @module
 */

import { type Command, EXIT } from "./_command.ts";

/** `utmp lastlog`. */
export const command: Command = {
  name: "lastlog",
  summary: "last login of each user from lastlog",
  usage: "[options]",
  help: "",
  options: [],
  run: (_args, ctx) => {
    ctx.io.err("utmp lastlog: not available yet\n");
    return Promise.resolve(EXIT.CANNOT_READ);
  },
};
