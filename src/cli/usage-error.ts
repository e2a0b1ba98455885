/** A command line that cannot run as typed: unknown command, bad flag, missing argument. */
export class UsageError extends Error {
  readonly code = 'EUSAGE' as const;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
