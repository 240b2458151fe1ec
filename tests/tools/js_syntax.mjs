// node js_syntax.mjs FILE...: each file parsed as a classic script at
// ECMAScript 2020, what both Chrome/Edge 109 and Firefox ESR parse.  Prints
// one "file:line:column: message: the line" per file that uses anything newer (or is
// not JavaScript at all) and exits 1; prints nothing and exits 0 otherwise.
import {readFileSync} from "node:fs";
import {parse} from "acorn";

let failed = 0;
for (const file of process.argv.slice(2)) {
  const source = readFileSync(file, "utf8");
  try {
    parse(source, {ecmaVersion: 2020, sourceType: "script", locations: true});
  } catch (error) {
    if (!(error instanceof SyntaxError) || !error.loc) { throw error; }
    failed += 1;
    process.stdout.write(`${file}:${error.loc.line}:${error.loc.column + 1}: ${error.message.replace(/ \(\d+:\d+\)$/, "")}: ${source.split(/\r?\n/)[error.loc.line - 1].trim()}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
