// The logging surface the supervisor needs; pino's Logger satisfies it, and
// tests may pass a recorder.
type LogFn = (obj: Record<string, unknown>, msg: string) => void;

export interface SupervisorLog {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}
