// The commands, derived from the schema: every rpc of the services below is
// a command of the local socket and of the remote API, named by its
// localName (`status`, `maintail`, `run`, …). Nothing else lists them; a new
// rpc shows up in the types below and fails to compile wherever a table
// keyed by CommandName (handlers, rights) does not have it yet.
import type { DescMethod, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { ControlService } from '../gen/taskmaster/v1/control_pb';
import { JobService } from '../gen/taskmaster/v1/jobs_pb';
import { TokenService } from '../gen/taskmaster/v1/tokens_pb';
import { AttachService } from '../gen/taskmaster/v1/attach_pb';

export const SERVICES = [ControlService, JobService, TokenService, AttachService] as const;

type Methods = typeof ControlService.method & typeof JobService.method & typeof TokenService.method & typeof AttachService.method;
/** The job commands (run logs ps list kill): JobService's rpcs. */
export type JobCommand = keyof typeof JobService.method & string;

export type CommandName = keyof Methods & string;
export type InputOf<C extends CommandName> = MessageShape<Methods[C]['input']>;
export type InitOf<C extends CommandName> = MessageInitShape<Methods[C]['input']>;
export type OutputOf<C extends CommandName> = MessageShape<Methods[C]['output']>;
/** What a handler answers with: the output message or a plain object of its fields. */
export type OutputInitOf<C extends CommandName> = MessageInitShape<Methods[C]['output']>;

type KindOf<C extends CommandName> = Methods[C]['methodKind'];
/** One request, one answer. */
export type UnaryCommand = { [C in CommandName]: KindOf<C> extends 'unary' ? C : never }[CommandName];
/** One request, then answers until the stream ends or the caller leaves (tail, maintail, logs). */
export type StreamCommand = { [C in CommandName]: KindOf<C> extends 'server_streaming' ? C : never }[CommandName];

function commandTable(): ReadonlyMap<string, DescMethod> {
  const table = new Map<string, DescMethod>();
  for (const service of SERVICES) {
    for (const method of service.methods) {
      const other = table.get(method.localName);
      if (other) throw new Error(`BUG: ${method.parent.typeName}.${method.name} and ${other.parent.typeName}.${other.name} share the command name ${method.localName}`);
      if (method.methodKind !== 'unary' && method.methodKind !== 'server_streaming') {
        throw new Error(`BUG: ${method.parent.typeName}.${method.name}: a command is unary or server-streaming`);
      }
      table.set(method.localName, method);
    }
  }
  return table;
}

/** Every command by name, with its schema method (input, output, kind). */
export const COMMANDS: ReadonlyMap<string, DescMethod> = commandTable();
export const COMMAND_NAMES = [...COMMANDS.keys()] as readonly CommandName[];

export function isCommandName(name: string): name is CommandName {
  return COMMANDS.has(name);
}

/**
 * How a client calls the daemon, whatever carries it: the local socket or the
 * remote API. Errors are thrown as TaskmasterError with the daemon's code.
 */
export interface Caller {
  call<C extends UnaryCommand>(cmd: C, request: InitOf<C>): Promise<OutputOf<C>>;
  /** Ends when the daemon ends the stream; `signal` ends it from this side. */
  stream<C extends StreamCommand>(cmd: C, request: InitOf<C>, signal?: AbortSignal): AsyncIterable<OutputOf<C>>;
  close(): void;
}
