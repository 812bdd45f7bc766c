/** What every `massive <command>` module exports as `command`. */
export interface CliCommand {
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
