// An environment file (`env_file:`) read as systemd reads EnvironmentFile=
// (systemd.exec(5)): NAME=VALUE assignments, one per line unless quoting or a
// trailing backslash carries the value on. Pure: text in, variables or
// errors out. Where systemd silently skips a line (no "=", a name that is not
// a variable name) this reports it instead: a typo in an env file would
// otherwise start the program without the variable and nobody would know.

/** A mistake in the file, at the line where its assignment began (1-based). */
export interface EnvFileError {
  line: number;
  message: string;
}

export interface EnvFileResult {
  /** In file order; a name assigned twice keeps its last value. */
  vars: Record<string, string>;
  errors: EnvFileError[];
}

// systemd's env_name_is_valid: what a shell accepts as a variable name.
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Whitespace trimmed around keys and unquoted values; newlines end them.
const BLANK = new Set([' ', '\t', '\r']);
// What a backslash keeps as itself inside double quotes, as in POSIX sh.
const DQ_ESCAPABLE = new Set(['"', '\\', '`', '$']);

type State = 'lineStart' | 'comment' | 'key' | 'beforeValue' | 'value' | 'single' | 'double';

export function parseEnvFile(text: string): EnvFileResult {
  const vars: Record<string, string> = {};
  const errors: EnvFileError[] = [];
  let state: State = 'lineStart';
  let line = 1;
  let startLine = 1; // where the assignment being read began
  let key = '';
  let value = '';
  // Unquoted text keeps inner whitespace but not trailing: the length of the
  // value up to its last character that was not blank (or escaped).
  let kept = 0;
  let quoteLine = 1;

  const finish = (): void => {
    const name = key.trimEnd();
    if (NAME.test(name)) vars[name] = value.slice(0, kept);
    else errors.push({ line: startLine, message: `${JSON.stringify(name)} is not a variable name (letters, digits and "_", not starting with a digit)` });
    state = 'lineStart';
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const newline = c === '\n';
    switch (state) {
      case 'comment':
        if (newline) state = 'lineStart';
        break;
      case 'lineStart':
        if (newline || BLANK.has(c)) break;
        if (c === '#' || c === ';') {
          state = 'comment';
          break;
        }
        startLine = line;
        key = '';
        state = 'key';
        i--; // read again as the key's first character (or its "=")
        continue;
      case 'key':
        if (c === '=') {
          state = 'beforeValue';
          value = '';
          kept = 0;
        } else if (newline) {
          errors.push({ line: startLine, message: `expected NAME=VALUE, got ${JSON.stringify(key.trimEnd())}` });
          state = 'lineStart';
        } else key += c;
        break;
      case 'beforeValue':
      case 'value':
        if (newline) finish();
        else if (state === 'beforeValue' && BLANK.has(c)) break;
        else if (state === 'beforeValue' && (c === "'" || c === '"')) {
          state = c === "'" ? 'single' : 'double';
          quoteLine = line;
        } else if (c === '\\') {
          // A backslash keeps the next character as it is; before a newline it joins the lines.
          state = 'value';
          const next = text[i + 1];
          if (next === undefined) break;
          i++;
          if (next === '\n') line++;
          else {
            value += next;
            kept = value.length;
          }
        } else {
          state = 'value';
          value += c;
          if (!BLANK.has(c)) kept = value.length;
        }
        break;
      case 'single':
        // Verbatim, newlines included, up to the next single quote.
        if (c === "'") {
          state = 'beforeValue';
          kept = value.length;
        } else value += c;
        break;
      case 'double':
        if (c === '"') {
          state = 'beforeValue';
          kept = value.length;
        } else if (c === '\\') {
          const next = text[i + 1];
          if (next === undefined) break;
          i++;
          if (next === '\n') line++;
          else value += DQ_ESCAPABLE.has(next) ? next : `\\${next}`;
        } else value += c;
        break;
    }
    if (newline) line++;
  }

  switch (state) {
    case 'key':
      errors.push({ line: startLine, message: `expected NAME=VALUE, got ${JSON.stringify(key.trimEnd())}` });
      break;
    case 'beforeValue':
    case 'value':
      finish();
      break;
    case 'single':
    case 'double':
      errors.push({ line: quoteLine, message: `the ${state === 'single' ? "single (')" : 'double (")'} quote opened here is never closed` });
      break;
    case 'lineStart':
    case 'comment':
      break;
  }
  return { vars, errors };
}
