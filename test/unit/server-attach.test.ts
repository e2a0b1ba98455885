// fg's two commands on the daemon's side, against the Supervisor on fake
// edges: the spawn asks for the stdin the config says; attach says what it
// attached to, passes the output on and ends with the child (or when the
// caller leaves, following nothing after); sendInput writes to the child's
// input and refuses when there is none, when it is full or closed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Identity } from '../../src/authz/identity';
import { LOCAL_IDENTITY } from '../../src/authz/identity';
import type { InputOf, OutputInitOf } from '../../src/protocol/commands';
import { ATTACH_HANDLERS } from '../../src/server/attach-handlers';
import type { DaemonControl } from '../../src/server/control';
import type { Stream } from '../../src/server/handler-types';
import type { ChildInput, InputOutcome } from '../../src/supervisor/child-input';
import { fakeSupervisor, flushPromises, program, runningSrv } from './supervisor-fakes';

const me: Identity = LOCAL_IDENTITY;
const ctlOf = (sup: DaemonControl['supervisor']): DaemonControl => ({ supervisor: sup }) as DaemonControl;
const attachRequest = (name: string, rows = 0, cols = 0) => ({ name, rows, cols }) as InputOf<'attach'>;
const inputRequest = (name: string, data: string, rows = 0, cols = 0) => ({ name, data: new TextEncoder().encode(data), rows, cols }) as InputOf<'sendInput'>;

/** A stream that keeps what is sent, as [case, value as text]. */
function recordingStream() {
  const left = new AbortController();
  const items: [string, unknown][] = [];
  const out: Stream<'attach'> = {
    send: (item: OutputInitOf<'attach'>) => {
      const event = item.event as { case: string; value: unknown };
      items.push([event.case, event.value instanceof Uint8Array ? Buffer.from(event.value).toString() : event.value]);
    },
    drained: () => Promise.resolve(),
    closed: left.signal,
  };
  return { out, items, leave: () => left.abort() };
}

/** A child input that records what it is given and answers as told. */
function fakeInput(terminal: boolean) {
  const written: string[] = [];
  const sizes: string[] = [];
  let answer: InputOutcome = 'ok';
  const waiting: (() => void)[] = [];
  const input: ChildInput = {
    terminal,
    write: (data, taken) => {
      if (answer === 'ok') {
        written.push(Buffer.from(data).toString());
        waiting.push(taken);
      }
      return answer;
    },
    resize: (rows, cols) => void sizes.push(`${rows}x${cols}`),
    close: () => {},
  };
  // take: the pipe takes what waits, as the kernel does when the child reads.
  return { input, written, sizes, answerWith: (a: InputOutcome) => void (answer = a), take: () => waiting.splice(0).forEach((f) => f()) };
}

test('the spawn asks for the input the config says: none by default, a pipe for stdin: pipe, a terminal for tty: true', () => {
  const { sup, spawner } = fakeSupervisor();
  const programs = [program('plain'), program('piped', { stdin: 'pipe' }), program('term', { tty: true }), program('both', { tty: true, stdin: 'pipe' })];
  for (const p of programs) sup.command(sup.addProgram(p)[0]!, { type: 'start' });
  assert.deepEqual(spawner.spawns.map((s) => s.spec.input), ['none', 'pipe', 'terminal', 'terminal']);
});

test('attach: what it attached to, then the output as it comes, then how the child ended', async () => {
  const { sup, spawner, clock } = runningSrv();
  const { out, items } = recordingStream();
  const done = ATTACH_HANDLERS.attach(ctlOf(sup), me, attachRequest('srv'), out);
  const pid = spawner.lastPid();
  assert.deepEqual(items, [['attached', { name: 'srv', pid, terminal: false, input: false }]]);
  spawner.output(pid, 'stdout', 'hello\n');
  spawner.output(pid, 'stderr', 'oops\n');
  spawner.exit(pid, 3);
  clock.runTurns();
  await done;
  assert.deepEqual(items.slice(1), [['stdout', 'hello\n'], ['stderr', 'oops\n'], ['ended', 'exit status 3']]);
});

test('attach: the caller leaving ends it, with no end said and nothing followed after', async () => {
  const { sup, spawner } = runningSrv();
  const { out, items, leave } = recordingStream();
  const done = ATTACH_HANDLERS.attach(ctlOf(sup), me, attachRequest('srv'), out);
  leave();
  await done;
  spawner.output(spawner.lastPid(), 'stdout', 'later\n');
  await flushPromises();
  assert.deepEqual(items.map(([kind]) => kind), ['attached']);
});

test('attach passes the window size to a terminal, and says so', async () => {
  const { sup, slot } = runningSrv();
  const fake = fakeInput(true);
  slot.child = { ...slot.child!, input: fake.input };
  const { out, items, leave } = recordingStream();
  const done = ATTACH_HANDLERS.attach(ctlOf(sup), me, attachRequest('srv', 40, 120), out);
  leave();
  await done;
  assert.deepEqual(fake.sizes, ['40x120']);
  assert.deepEqual(items[0], ['attached', { name: 'srv', pid: slot.child.pid, terminal: true, input: true }]);
});

test('attach and sendInput refuse a process that is not running (ENOTRUNNING) or unknown (ENOPROGRAM)', async () => {
  const { sup } = fakeSupervisor();
  sup.addProgram(program('idle'));
  const { out } = recordingStream();
  await assert.rejects(ATTACH_HANDLERS.attach(ctlOf(sup), me, attachRequest('idle'), out), { code: 'ENOTRUNNING', message: 'idle is not running' });
  await assert.rejects(async () => ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('idle', 'x')), { code: 'ENOTRUNNING' });
  await assert.rejects(async () => ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('ghost', 'x')), { code: 'ENOPROGRAM' });
});

test('sendInput writes the bytes and passes a size; refuses without input, when full and when closed (ENOINPUT)', async () => {
  const { sup, slot } = runningSrv();
  await assert.rejects(async () => ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('srv', 'x')), {
    code: 'ENOINPUT',
    message: 'srv takes no input: its stdin is /dev/null (set stdin: pipe or tty: true)',
  });
  const fake = fakeInput(false);
  slot.child = { ...slot.child!, input: fake.input };
  const sent = ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('srv', 'line\n', 24, 80));
  fake.take();
  assert.deepEqual(await sent, {});
  assert.deepEqual(await ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('srv', '', 30, 100)), {});
  assert.deepEqual([fake.written, fake.sizes], [['line\n'], ['24x80', '30x100']]);
  fake.answerWith('full');
  await assert.rejects(async () => ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('srv', 'more')), { code: 'ENOINPUT', message: /not reading its input/ });
  fake.answerWith('closed');
  await assert.rejects(async () => ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('srv', 'more')), { code: 'ENOINPUT', message: /closed its input/ });
  assert.deepEqual(fake.written, ['line\n']);
});

test('sendInput answers only once the pipe or terminal has taken the bytes: a sender goes at the pace the program reads', async () => {
  const { sup, slot } = runningSrv();
  const fake = fakeInput(true);
  slot.child = { ...slot.child!, input: fake.input };
  let answered = false;
  const sent = Promise.resolve(ATTACH_HANDLERS.sendInput(ctlOf(sup), me, inputRequest('srv', 'slow'))).then((r) => ((answered = true), r));
  await new Promise((r) => setImmediate(r));
  assert.equal(answered, false, 'answered before the bytes were taken');
  fake.take();
  assert.deepEqual(await sent, {});
});
