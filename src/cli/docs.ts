/**
 * docs/cli.md generated from the commands' own specs, so the reference cannot drift from the code
 * (`npx tsx scripts/cli-docs.ts` rewrites it; test/cli/docs.test.ts fails when it is stale).
 */
import { COMMANDS } from "./main";
import { helpText, type CommandSpec } from "./args";

interface CommandModule {
  command: { spec?: CommandSpec };
  SUBCOMMANDS?: Record<string, { spec: CommandSpec }>;
}

export function cliReferenceMarkdown(): string {
  const parts = [
    "# The `massive` command",
    "",
    "Generated from the commands' specs by `npx tsx scripts/cli-docs.ts`; `npx massive <command> --help` prints the same.",
    "Every command prints progress on stderr, writes results to disk, and exits non-zero with a one-line reason on bad",
    "input (2 for a usage error, 1 for a failure). `MASSIVE_BACKEND` forces a TensorFlow.js backend, `MASSIVE_QUIET=1`",
    "silences progress, `MASSIVE_DEBUG=1` prints stack traces.",
    "",
  ];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(entry.module) as CommandModule;
    parts.push(`## massive ${name}`, "", entry.summary, "");
    const specs: CommandSpec[] = mod.SUBCOMMANDS ? Object.values(mod.SUBCOMMANDS).map((c) => c.spec) : mod.command.spec ? [mod.command.spec] : [];
    for (const spec of specs) parts.push("```", helpText(spec), "```", "");
  }
  return `${parts.join("\n").trimEnd()}\n`;
}
