// taskmasterctl: parse the global options, then run one command or the shell.
// Returns the exit code; the binary's composition root sets process.exitCode.
import { PROTOCOL_VERSION } from '../protocol/messages';
import { COMMANDS } from './commands';
import { commandListText } from './commands/help';
import { EXIT } from './exit-codes';
import { Interrupt } from './interrupt';
import type { CtlIO } from './io';
import { GLOBAL_USAGE, parseGlobalOptions, type GlobalOptions } from './options';
import { remoteTarget } from './remote/identity';
import { localCallers, remoteCallers, type Callers } from './remote/open';
import { makeRunner, reportFailure } from './runner';
import { resolveSocket } from './socket';
import { VERSION as CLI_VERSION } from '../version';

export type { CtlIO } from './io';

const OPTIONS_HELP = `
Without COMMAND, starts an interactive shell (commands read line by line when stdin is not a terminal).

options:
  -c, --config FILE   read the socket path from this config file
  -s, --socket PATH   talk to taskmasterd at this socket (wins over -c)
  -H, --host HOST[:PORT]  talk to a remote taskmasterd (port 7443 by default; else $TASKMASTER_HOST)
  --cert, --key, --ca FILE  this client's certificate and key, and the CA of the server
                      (else $TASKMASTER_CERT, $TASKMASTER_KEY, $TASKMASTER_CA, else
                      client.crt, client.key, ca.crt in ~/.config/taskmaster/)
  --json              print JSON, errors included as {"error":{code,message}}
  -h, --help          show this help
  -V, --version       show taskmasterctl's version

exit codes: 0 ok, 1 error, 3 status lists a process that is not running, 4 daemon unreachable or unknown name
or job, 130 interrupted; run -f exits with the job's own code (128+N when killed by signal N)
`;

export async function runCtl(argv: string[], io: CtlIO): Promise<number> {
  let opts: GlobalOptions;
  try {
    opts = parseGlobalOptions(argv);
  } catch (e) {
    return reportFailure(e, argv.includes('--json'), io);
  }
  if (opts.help) {
    io.stdout(`${GLOBAL_USAGE}\n${OPTIONS_HELP}\n${commandListText(COMMANDS)}\n`);
    return EXIT.OK;
  }
  if (opts.version) {
    io.stdout(opts.json ? JSON.stringify({ version: CLI_VERSION, protocol: PROTOCOL_VERSION }) + '\n' : `taskmasterctl ${CLI_VERSION}\n`);
    return EXIT.OK;
  }

  // Resolved on first use (help never needs it), then kept; a failure is not kept, so the shell can retry.
  let socket: Promise<string> | undefined;
  const socketPath = () =>
    (socket ??= resolveSocket(opts, io.env, io.defaultConfigFile).catch((e: unknown) => {
      socket = undefined;
      throw e;
    }));
  let callers: Callers;
  try {
    const remote = remoteTarget(opts, io.env, () => io.homedir);
    callers = remote ? remoteCallers(remote) : localCallers(socketPath);
  } catch (e) {
    return reportFailure(e, opts.json, io);
  }
  const interactive = opts.command.length === 0;
  const leaveOpen = !interactive && io.exitsWhenDone === true;
  const runner = makeRunner({ io, json: opts.json, interactive, socket: socketPath, leaveOpen, ...callers });
  if (interactive) {
    // Loaded only here: readline and the shell's modules cost a one-shot command start-up time.
    const { runShell } = await import('./shell');
    return runShell({ io, runner, json: opts.json, socket: socketPath });
  }

  const interrupt = new Interrupt();
  const unsubscribe = io.onInterrupt?.(() => interrupt.abort());
  try {
    return await runner(opts.command, interrupt);
  } finally {
    unsubscribe?.();
  }
}
