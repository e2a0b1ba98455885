// TRANSITIONAL, to delete when the existing commands take a Caller (branch
// `wire` moves them): today's Client, as those commands use it (call,
// stream, close), over any Caller, so that `taskmasterctl -H … status` works
// now. It turns today's request bodies into the schema's requests and the
// schema's answers back into today's result shapes.
import { OutputStream, ProcessState, type ActionOutcome, type ProcessStatus } from '../../gen/taskmaster/v1/control_pb';
import type { Caller } from '../../protocol/commands';
import type * as Old from '../../protocol/messages';
import type { RequestBody } from '../client';
import type { Interrupt } from '../interrupt';

const stateName = (s: ProcessState) => ProcessState[s].replace(/^PROCESS_STATE_/, '') as Old.ProcessStateName;

function statusOf(p: ProcessStatus): Old.ProcessStatus {
  return {
    name: p.name,
    program: p.program,
    state: stateName(p.state),
    pid: p.pid ?? null,
    exitcode: p.exitcode ?? null,
    exitsignal: p.exitsignal ?? null,
    uptime_s: p.uptimeS ?? null,
    description: p.description,
  };
}

function outcomeOf(o: ActionOutcome): Old.ActionOutcome {
  const error = o.error ? ({ code: o.error.code, message: o.error.message } as Old.ActionOutcome['error']) : null;
  return { name: o.name, ok: o.ok, state: stateName(o.state), error };
}

type Body = RequestBody;

async function collect(caller: Caller, body: Body & { cmd: 'tail' | 'maintail' }): Promise<{ data: string }> {
  let data = '';
  for await (const item of streamOf(caller, body)) data += item.data;
  return { data };
}

function streamOf(caller: Caller, body: Body & { cmd: 'tail' | 'maintail' }, signal?: AbortSignal) {
  if (body.cmd === 'maintail') return caller.stream('maintail', { lines: body.lines, follow: body.follow }, signal);
  const stream = body.stream === 'stderr' ? OutputStream.STDERR : OutputStream.STDOUT;
  return caller.stream('tail', { name: body.name, stream, lines: body.lines, follow: body.follow }, signal);
}

async function call(caller: Caller, body: Body): Promise<unknown> {
  switch (body.cmd) {
    case 'status':
      return (await caller.call('status', { names: body.names })).processes.map(statusOf);
    case 'start':
    case 'stop':
    case 'restart':
      return (await caller.call(body.cmd, { names: body.names })).outcomes.map(outcomeOf);
    case 'signal':
      return (await caller.call('signal', { signal: body.signal, names: body.names })).outcomes.map(outcomeOf);
    case 'reload': {
      const { added, removed, restarted, updated, unchanged } = await caller.call('reload', {});
      return { added, removed, restarted, updated, unchanged };
    }
    case 'config':
      return (await caller.call('config', { name: body.name })).programs;
    case 'tail':
    case 'maintail':
      return collect(caller, body);
    case 'pid':
      return (await caller.call('pid', body.name === null ? {} : { name: body.name })).pids.map((p) => ({ name: p.name, pid: p.pid ?? null }));
    case 'shutdown':
      await caller.call('shutdown', {});
      return {};
    case 'version':
    case 'hello': {
      const { version, protocol } = await caller.call('version', {});
      return { version, protocol };
    }
  }
}

export function legacyClient(caller: Caller) {
  return {
    call: (body: Body) => call(caller, body),
    async stream(
      body: Body & { cmd: 'tail' | 'maintail' },
      on: { result: (r: { data: string }) => void; chunk: (s: string) => void },
      interrupt?: Interrupt,
    ): Promise<void> {
      const stop = new AbortController();
      const done = interrupt?.onAbort(() => stop.abort());
      let first = true;
      try {
        for await (const item of streamOf(caller, body, stop.signal)) {
          if (first) on.result({ data: item.data });
          else on.chunk(item.data);
          first = false;
        }
      } finally {
        done?.();
      }
    },
    close: () => caller.close(),
  };
}
