/**
 * Shared argument parsing for the commands: node's util.parseArgs with `--help`, required options and
 * one-line errors (thrown as UsageError, which the commands turn into exit code 2).
 */
import { parseArgs } from "node:util";
import { UsageError } from "../util/usage-error";

// UsageError and parseStepList live in util/ (sweep/ needs them too, and may not import cli/); re-exported here
// for the commands.
export { UsageError } from "../util/usage-error";
export { parseStepList } from "../util/step-list";

export interface OptionSpec {
  type: "string" | "boolean";
  /** Shown in --help. */
  description: string;
  required?: boolean;
  default?: string | boolean;
  multiple?: boolean;
  short?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Extra lines for --help (examples). */
  examples?: string[];
  /** Names of positional arguments; undefined means none are accepted. */
  positionals?: string[];
}

export function helpText(spec: CommandSpec): string {
  const pos = (spec.positionals ?? []).map((p) => ` <${p}>`).join("");
  const lines = [`usage: massive ${spec.name}${pos} [options]`, "", spec.summary, "", "options:"];
  for (const [name, o] of Object.entries(spec.options)) {
    const flag = `--${name}${o.type === "string" ? " <value>" : ""}`;
    const extra = o.required ? " (required)" : o.default !== undefined ? ` (default: ${String(o.default)})` : "";
    lines.push(`  ${flag.padEnd(28)} ${o.description}${extra}`);
  }
  lines.push(`  ${"--help".padEnd(28)} show this help`);
  if (spec.examples?.length) lines.push("", "examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv against the spec; returns undefined when --help was asked (help already printed). */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs | undefined {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${helpText(spec)}\n`);
    return undefined;
  }
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string | boolean }> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: spec.positionals !== undefined, strict: true }) as ParsedArgs;
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split("\n")[0]} (see massive ${spec.name} --help)`);
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && parsed.values[name] === undefined) throw new UsageError(`--${name} is required (see massive ${spec.name} --help)`);
  }
  const wanted = spec.positionals ?? [];
  if (parsed.positionals.length !== wanted.length) {
    throw new UsageError(`expected ${wanted.length ? wanted.map((p) => `<${p}>`).join(" ") : "no positional arguments"}, got ${parsed.positionals.length ? parsed.positionals.join(" ") : "none"}`);
  }
  return parsed;
}

/** One line of progress or notes on stderr (results go to files or stdout). */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Option `name`'s text: undefined when it was not given and has no default (a boolean or repeated option too). */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

/**
 * Option `name` as a whole number in [min, max] (default [0, 2^53 - 1]), written in digits only ("1e3", "-1", "0x10",
 * "" are refused); undefined when it was not given and has no default. The one home for the commands' integer
 * options and their one-line error "--<name> must be a positive integer, got '<text>'".
 */
export function integerOption(args: ParsedArgs, name: string, range: { min?: number; max?: number } = {}): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    const what = max !== Number.MAX_SAFE_INTEGER ? `an integer in [${min}, ${max}]` : min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : `an integer >= ${min}`;
    throw new UsageError(`--${name} must be ${what}, got '${text}'`);
  }
  return n;
}

/**
 * Option `name` as one of `choices`; undefined when it was not given and has no default. The one home for the
 * commands' fixed-choice options and their one-line error "--<name> must be a, b or c, got '<text>'".
 */
export function choiceOption<C extends string>(args: ParsedArgs, name: string, choices: readonly C[]): C | undefined {
  const text = stringOption(args, name);
  if (text === undefined || (choices as readonly string[]).includes(text)) return text as C | undefined;
  const list = choices.length > 1 ? `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}` : String(choices[0]);
  throw new UsageError(`--${name} must be ${list}, got '${text}'`);
}

/**
 * Wraps a command body: --help handling, UsageError -> exit 2 with one line, other errors -> exit 1 with one line
 * (MASSIVE_DEBUG=1 prints the stack).
 */
export function defineCommand(spec: CommandSpec, body: (args: ParsedArgs) => Promise<number | void>): { spec: CommandSpec; run(argv: string[]): Promise<number> } {
  return {
    spec,
    async run(argv: string[]): Promise<number> {
      try {
        const args = parseCommandArgs(spec, argv);
        if (!args) return 0;
        // (not `?? 0`: tslab's TypeScript 5.0 rejects `??` on an awaited number | void)
        const code = await body(args);
        return typeof code === "number" ? code : 0;
      } catch (err) {
        const message = (err as Error).message?.split("\n")[0] ?? String(err);
        process.stderr.write(`massive ${spec.name}: ${message}\n`);
        if (process.env.MASSIVE_DEBUG) console.error(err);
        return err instanceof UsageError ? 2 : 1;
      }
    },
  };
}
