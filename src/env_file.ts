/**
 * Reads `.env` files: `KEY=value` lines, `#` comments, optional `export`
 * prefixes and single- or double-quoted values.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/**
 * Parses the text of a `.env` file into its variables.
 *
 * @param text The file's contents.
 * @returns The variables in the order they appear; a later line wins.
 *
 * @example
 * ```ts
 * parseEnvFile("PORT=5000\n# comment\nNAME='a b'").get("NAME"); // "a b"
 * ```
 */
export function parseEnvFile(text: string): Map<string, string> {
  const variables = new Map<string, string>();

  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    variables.set(match[1] as string, unquote(match[2] as string));
  }

  return variables;
}

function unquote(raw: string): string {
  const quote = raw[0];
  if ((quote === '"' || quote === "'") && raw.endsWith(quote)) {
    const inner = raw.slice(1, -1);
    return quote === '"' ? inner.replaceAll("\\n", "\n") : inner;
  }
  const comment = raw.search(/\s#/);
  return comment === -1 ? raw : raw.slice(0, comment).trimEnd();
}

/**
 * The process environment over the variables of a `.env` file: a real
 * environment variable wins over the file.
 *
 * @param path Where the `.env` file is; a missing file is no error.
 * @param environment The real environment.
 * @returns The merged variables.
 *
 * @example
 * ```ts
 * const variables = loadEnvironment(".env", process.env);
 * ```
 */
export function loadEnvironment(
  path: string,
  environment: NodeJS.ProcessEnv,
): Map<string, string> {
  const variables = existsSync(path)
    ? parseEnvFile(readFileSync(path, "utf8"))
    : new Map<string, string>();

  for (const [key, value] of Object.entries(environment)) {
    if (value !== undefined) variables.set(key, value);
  }

  return variables;
}
