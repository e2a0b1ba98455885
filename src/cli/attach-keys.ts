// What `fg` does with each key typed on a raw terminal. Decisions only: the
// session (commands/fg-run.ts) carries the actions out.
//
// On a terminal program (tty: true) the bytes go through as typed, Ctrl-C
// included: the program's own terminal turns it into SIGINT for whatever
// runs in its foreground, as in tmux. On a pipe, a line is edited here and
// sent whole on Enter, and Ctrl-C becomes SIGINT to the process. Either way
// Ctrl-] detaches and never reaches the process.

export const DETACH_KEY = 0x1d; // Ctrl-], telnet's and docker attach's escape
export const DETACH_KEY_NAME = 'Ctrl-]';

export type KeyAction =
  /** Bytes for the process's input. */
  | { kind: 'send'; data: Uint8Array }
  /** SIGINT to the process. */
  | { kind: 'interrupt' }
  /** Leave; the process runs on. */
  | { kind: 'detach' }
  /** Text for our own terminal: the line editor's echo. */
  | { kind: 'echo'; text: string };

/** Keys for a terminal program: everything up to Ctrl-]; what follows it in the chunk is dropped. */
export function terminalKeys(chunk: Uint8Array): KeyAction[] {
  const at = chunk.indexOf(DETACH_KEY);
  const data = at < 0 ? chunk : chunk.subarray(0, at);
  const actions: KeyAction[] = data.length > 0 ? [{ kind: 'send', data }] : [];
  if (at >= 0) actions.push({ kind: 'detach' });
  return actions;
}

const CTRL_C = '\x03';
const CTRL_U = '\x15';
const ESC = '\x1b';
const BACKSPACES = new Set(['\x7f', '\b']);
const ERASE = '\b \b';

/**
 * Keys for a pipe: a line editor on a raw terminal. Printable characters
 * are echoed and collected; Backspace and Ctrl-U edit; Enter sends the line
 * with "\n"; escape sequences (arrows, function keys) are swallowed, and so
 * are other control characters, which a line-reading program would not want.
 */
export class LineKeys {
  private line = '';
  private escape: 'none' | 'esc' | 'csi' = 'none';
  private afterCR = false;
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  push(chunk: Uint8Array): KeyAction[] {
    const actions: KeyAction[] = [];
    for (const ch of this.decoder.decode(chunk, { stream: true })) {
      const afterCR = this.afterCR;
      this.afterCR = ch === '\r';
      if (ch.charCodeAt(0) === DETACH_KEY) {
        actions.push({ kind: 'detach' });
        return actions;
      }
      if (this.escape !== 'none') {
        this.skipEscape(ch);
        continue;
      }
      if (ch === '\r' || (ch === '\n' && !afterCR)) {
        actions.push({ kind: 'echo', text: '\r\n' }, { kind: 'send', data: this.encoder.encode(`${this.line}\n`) });
        this.line = '';
      } else if (ch === CTRL_C) {
        this.line = '';
        actions.push({ kind: 'echo', text: '^C\r\n' }, { kind: 'interrupt' });
      } else if (BACKSPACES.has(ch)) {
        if (this.line === '') continue;
        this.line = [...this.line].slice(0, -1).join('');
        actions.push({ kind: 'echo', text: ERASE });
      } else if (ch === CTRL_U) {
        const width = [...this.line].length;
        this.line = '';
        if (width > 0) actions.push({ kind: 'echo', text: ERASE.repeat(width) });
      } else if (ch === ESC) {
        this.escape = 'esc';
      } else if (ch >= ' ') {
        this.line += ch;
        actions.push({ kind: 'echo', text: ch });
      }
    }
    return actions;
  }

  /** ESC [ … final byte (CSI), ESC O x (SS3), or ESC x (Alt-x): all dropped. */
  private skipEscape(ch: string): void {
    if (this.escape === 'esc') {
      this.escape = ch === '[' || ch === 'O' ? 'csi' : 'none';
      return;
    }
    const code = ch.charCodeAt(0);
    if (code >= 0x40 && code <= 0x7e) this.escape = 'none';
  }
}

/**
 * A pipe program's output for a raw terminal, where "\n" only moves down:
 * each LF not already after a CR gets one. `lastWasCR`: the previous
 * chunk's last byte was CR (a CRLF may be split between chunks).
 */
export function withCarriageReturns(data: Uint8Array, lastWasCR: boolean): Uint8Array {
  let missing = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a && !(i === 0 ? lastWasCR : data[i - 1] === 0x0d)) missing++;
  }
  if (missing === 0) return data;
  const out = new Uint8Array(data.length + missing);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a && !(i === 0 ? lastWasCR : data[i - 1] === 0x0d)) out[o++] = 0x0d;
    out[o++] = data[i]!;
  }
  return out;
}
