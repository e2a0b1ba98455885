// Everything taskmasterctl touches outside itself, injected so tests drive
// runCtl in-process: no subprocess, no real terminal, no real home directory.

export interface CtlIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Bytes unchanged to fd 1 or 2 (a job's output); without it they are decoded as UTF-8 into stdout/stderr. */
  writeBytes?: (fd: 1 | 2, data: Uint8Array) => void;
  stdin: NodeJS.ReadableStream;
  /** True when a person types at stdin: the shell then prompts, edits lines and completes. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** The terminal readline draws on in the interactive shell; a stream over stdout() when absent. */
  terminal?: NodeJS.WritableStream;
  /** Subscribes to Ctrl-C outside readline (one-shot `tail -f`, piped shell); returns the unsubscribe. */
  onInterrupt?: (listener: () => void) => () => void;
  /** Subscribes to SIGTERM and SIGHUP, for the one command that must outlive them a moment (run -f). */
  onTerminate?: (listener: () => void) => () => void;
  /**
   * The process exits as soon as runCtl returns (the real binary). A one-shot
   * command then leaves its connection for the exit to close: destroying the
   * socket first costs 0.4 ms of stream teardown that nobody waits for.
   */
  exitsWhenDone?: boolean;
  /** Where the default config is looked for; DEFAULT_CONFIG_FILE unless a test says otherwise. */
  defaultConfigFile?: string;
}
