/**
 * An error in what the user asked for (a bad option, a malformed list, a missing file named on the command line),
 * as opposed to a failure of the work itself. The commands turn it into exit code 2 with its one-line message
 * (src/cli/args.ts); sweep/ and the stages throw it for bad input so that the CLI can tell the two apart.
 */
export class UsageError extends Error {}
