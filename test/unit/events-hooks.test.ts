// The hooks: which run for which event (Reactions), and how they are run
// (HookRunner) — a few at a time, a webhook retried with a growing wait, every
// failure logged without the secrets a URL may hold. The edges are fakes: no
// process, no HTTP, no real wait.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAEMON_FIELDS } from '../../src/config/daemon-fields';
import { withDefaults } from '../../src/config/field-table';
import type { HookSpec } from '../../src/config/hook-readers';
import type { Config, DaemonSettings, ProgramConfig } from '../../src/config/types';
import { EventBus } from '../../src/events/bus';
import type { StateEvent, TaskmasterEvent } from '../../src/events/event';
import { type HookEdges, type HookJob, HookRunner, loggableUrl, retryDelayMs } from '../../src/hooks/hook-runner';
import { FATAL_EXIT_CODE, Reactions } from '../../src/hooks/reactions';
import { flushPromises, type LogEntry, program, recordingLog } from './supervisor-fakes';

const EXEC: HookSpec = { kind: 'exec', cmd: '/bin/alert x', argv: ['/bin/alert', 'x'], timeout: 2 };
const WEBHOOK: HookSpec = { kind: 'webhook', url: 'https://ops:s3cret@hooks.example/alert?token=abc#frag', timeout: 5, retries: 2 };

const fatal: StateEvent = {
  type: 'state', time: '2024-01-01T00:00:00.000Z', program: 'web', process: 'web', from: 'BACKOFF', to: 'FATAL',
  reason: 'too many start retries (3) too quickly', pid: null, exit: null,
};
const exited: TaskmasterEvent = { type: 'exit', time: fatal.time, program: 'web', process: 'web', pid: 42, code: 1, signal: null, expected: false };

interface PendingExec {
  argv: readonly string[];
  input: string;
  opts: Parameters<HookEdges['exec']>[2];
  finish: (why: string | null) => void;
}

class FakeEdges implements HookEdges {
  readonly execs: PendingExec[] = [];
  readonly posts: { url: string; body: string; timeoutMs: number }[] = [];
  readonly sleeps: number[] = [];
  /** What each POST answers, in turn; null (success) once they run out. */
  postAnswers: (string | null)[] = [];

  exec(argv: readonly string[], input: string, opts: PendingExec['opts']): Promise<string | null> {
    return new Promise((finish) => this.execs.push({ argv, input, opts, finish }));
  }
  post(url: string, body: string, timeoutMs: number): Promise<string | null> {
    this.posts.push({ url, body, timeoutMs });
    return Promise.resolve(this.postAnswers.shift() ?? null);
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}

function runner(limits = { concurrency: 8, queue: 100 }) {
  const edges = new FakeEdges();
  const logged: LogEntry[] = [];
  return { edges, logged, hooks: new HookRunner(edges, recordingLog(logged), limits) };
}

const job = (hook: HookSpec, event: TaskmasterEvent = fatal): HookJob => ({ label: 'on_fatal of web', hook, event, user: 'nobody' });

test('an exec hook gets the event as JSON on stdin, its names in the environment, its user and its timeout', async () => {
  const { edges, logged, hooks } = runner();
  hooks.submit(job(EXEC));
  assert.equal(edges.execs.length, 1);
  const [call] = edges.execs;
  assert.deepEqual(JSON.parse(call!.input), fatal);
  assert.deepEqual(call!.argv, ['/bin/alert', 'x']);
  assert.deepEqual(call!.opts, {
    timeoutMs: 2000,
    user: 'nobody',
    env: { TASKMASTER_EVENT: 'state', TASKMASTER_PROGRAM_NAME: 'web', TASKMASTER_PROCESS_NAME: 'web', TASKMASTER_FROM_STATE: 'BACKOFF', TASKMASTER_STATE: 'FATAL' },
  });
  call!.finish('exit status 2');
  await hooks.idle();
  const failure = logged.find((e) => e.level === 'warn');
  assert.match(failure?.msg ?? '', /^hook on_fatal of web \(\/bin\/alert\) failed: exit status 2; event: web: BACKOFF → FATAL/);
});

test('a failing webhook is retried after 1 s then 2 s, then given up and logged without its userinfo or query', async () => {
  const { edges, logged, hooks } = runner();
  edges.postAnswers = ['HTTP 500', 'connection refused', 'timed out after 5s'];
  hooks.submit(job(WEBHOOK, exited));
  await hooks.idle();
  assert.equal(edges.posts.length, 3, 'the first try and retries: 2');
  assert.deepEqual(edges.posts.map((p) => [p.url, p.timeoutMs]), Array(3).fill([WEBHOOK.url, 5000]));
  assert.deepEqual(JSON.parse(edges.posts[0]!.body), exited);
  assert.deepEqual(edges.sleeps, [1000, 2000]);
  assert.deepEqual(logged.map((e) => e.level), ['warn', 'warn', 'error']);
  assert.equal(logged[2]!.msg, 'hook on_fatal of web to https://hooks.example/alert failed: timed out after 5s; gave up after 3 attempt(s); event: web: exited, exit status 1 (not expected) pid 42');
  const text = JSON.stringify(logged);
  assert.ok(!/s3cret|token|abc|frag/.test(text), `a secret in the log: ${text}`);
});

test('a webhook that succeeds on a retry stops there', async () => {
  const { edges, logged, hooks } = runner();
  edges.postAnswers = ['HTTP 503', null];
  hooks.submit(job(WEBHOOK));
  await hooks.idle();
  assert.deepEqual([edges.posts.length, edges.sleeps], [2, [1000]]);
  assert.deepEqual(logged.map((e) => e.level), ['warn', 'debug']);
});

test('retries wait 1, 2, 4… seconds, at most 30', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map(retryDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(loggableUrl('http://u:p@h:8080/a/b?x=1'), 'http://h:8080/a/b');
});

test('at most `concurrency` hooks run at once; the next waits its turn, and past the queue they are dropped, said once', async () => {
  const { edges, logged, hooks } = runner({ concurrency: 2, queue: 1 });
  for (let i = 0; i < 5; i++) hooks.submit(job(EXEC));
  assert.equal(edges.execs.length, 2, 'two run; one waits; two are dropped');
  assert.equal(logged.filter((e) => e.level === 'error').length, 1, 'the drop is said once');
  let idle = false;
  void hooks.idle().then(() => (idle = true));
  edges.execs[0]!.finish(null);
  await flushPromises();
  assert.equal(edges.execs.length, 3, 'the waiting one starts when a slot frees');
  edges.execs[1]!.finish(null);
  await flushPromises();
  assert.equal(idle, false, 'one still runs');
  edges.execs[2]!.finish(null);
  await flushPromises();
  assert.deepEqual([idle, edges.execs.length], [true, 3]);
});

/** A config of `programs` with these daemon settings. */
function configOf(programs: ProgramConfig[], daemon: Partial<DaemonSettings> = {}): Config {
  return { file: '/etc/taskmaster.yaml', daemon: { ...withDefaults(DAEMON_FIELDS, {}), ...daemon }, programs };
}

function reactions(initial: Config) {
  const bus = new EventBus();
  const submitted: HookJob[] = [];
  const shutdowns: [string, number][] = [];
  const logged: LogEntry[] = [];
  let config = initial;
  const programOf = (name: string) => config.programs.find((p) => p.name === name);
  const r = new Reactions({ bus, config: () => config, programOf, runner: { submit: (j) => void submitted.push(j) }, shutdown: (why, code) => void shutdowns.push([why, code]), log: recordingLog(logged) });
  r.refresh();
  return { bus, r, submitted, shutdowns, logged, setConfig: (c: Config) => void (config = c) };
}

test('a config without hooks or fatal_action does not listen: no event is ever built for it', () => {
  const { bus } = reactions(configOf([program('web')]));
  assert.equal(bus.listening, false);
});

test("a program's hooks run as its user, the daemon's as the daemon's; on_fatal with on_state on FATAL", () => {
  const web = program('web', { on_exit: EXEC, on_state: WEBHOOK, user: 'nobody' });
  const { bus, submitted, shutdowns } = reactions(configOf([web, program('db')], { on_fatal: EXEC }));
  bus.publish(() => exited);
  bus.publish(() => fatal);
  bus.publish(() => ({ ...fatal, program: 'db', process: 'db' }));
  bus.publish(() => ({ type: 'reload', time: fatal.time, added: [], removed: [], restarted: [], updated: [] }));
  assert.deepEqual(
    submitted.map((j) => `${j.label} as ${j.user} on ${j.event.type}`),
    ['on_exit of web as nobody on exit', 'on_state of web as nobody on state', 'on_fatal of taskmasterd as null on state', 'on_fatal of taskmasterd as null on state'],
  );
  assert.deepEqual(shutdowns, [], 'no fatal_action');
});

test('fatal_action shutdown: of the program for that program only, of the daemon for any; exit status 3', () => {
  const own = reactions(configOf([program('web', { fatal_action: 'shutdown' }), program('db')]));
  own.bus.publish(() => ({ ...fatal, program: 'db', process: 'db' }));
  own.bus.publish(() => ({ ...fatal, to: 'EXITED' }));
  assert.deepEqual(own.shutdowns, [], 'another program, or another state');
  own.bus.publish(() => fatal);
  assert.deepEqual(own.shutdowns, [['web went FATAL (too many start retries (3) too quickly) and web has fatal_action: shutdown', 3]]);
  assert.equal(FATAL_EXIT_CODE, 3);
  assert.match(own.logged.find((e) => e.level === 'fatal')?.msg ?? '', /stopping every program, then exiting 3$/);

  const any = reactions(configOf([program('db')], { fatal_action: 'shutdown' }));
  any.bus.publish(() => ({ ...fatal, program: 'db', process: 'db' }));
  assert.deepEqual(any.shutdowns.map(([why]) => why), ['db went FATAL (too many start retries (3) too quickly) and taskmasterd has fatal_action: shutdown']);
});

test('a reload that removes every hook stops the listening; one that adds one starts it', () => {
  const { bus, r, setConfig } = reactions(configOf([program('web', { on_exit: EXEC })]));
  assert.equal(bus.listening, true);
  setConfig(configOf([program('web')]));
  r.refresh();
  assert.equal(bus.listening, false);
  setConfig(configOf([program('web')], { on_state: EXEC }));
  r.refresh();
  r.refresh();
  assert.equal(bus.listening, true);
});

test("a reload that adds a program with hooks listens before it applies: the new program's first events reach its hooks", () => {
  const bus = new EventBus();
  const submitted: HookJob[] = [];
  const before = configOf([program('db')]);
  const next = configOf([program('db'), program('web', { on_state: EXEC })]);
  // During the apply, config() is still the old file while web's slot already has its program.
  let config = before;
  const slots = next.programs;
  const r = new Reactions({
    bus,
    config: () => config,
    programOf: (name) => slots.find((p) => p.name === name),
    runner: { submit: (j) => void submitted.push(j) },
    shutdown: () => undefined,
    log: recordingLog([]),
  });
  r.refresh();
  assert.equal(bus.listening, false);
  r.listenFor(before);
  assert.equal(bus.listening, false, 'a file without hooks does not start the listening');
  r.listenFor(next);
  assert.equal(bus.listening, true, 'listening while the reload starts web');
  bus.publish(() => ({ ...fatal, to: 'STARTING', program: 'web', process: 'web' }));
  config = next;
  r.refresh();
  assert.equal(bus.listening, true);
  assert.deepEqual(submitted.map((j) => `${j.label} on ${j.event.type}`), ['on_state of web on state']);
});
