// Rewrites docs/cli.md from the commands' specs: npx tsx scripts/cli-docs.ts
import * as fs from "node:fs";
import * as path from "node:path";
import { cliReferenceMarkdown } from "../src/cli/docs";

fs.writeFileSync(path.resolve(__dirname, "../docs/cli.md"), cliReferenceMarkdown());
