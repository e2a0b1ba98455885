// The command list comes from the schema's services; these pin that every
// command is handled, has a right and is read by the parser, and how the
// parser reads (and refuses) requests in protocol 2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RIGHTS } from '../../src/authz/rights';
import { COMMANDS as CLI_COMMANDS } from '../../src/cli/commands';
import { OutputStream } from '../../src/gen/taskmaster/v1/control_pb';
import { JobService } from '../../src/gen/taskmaster/v1/jobs_pb';
import { COMMAND_NAMES, COMMANDS } from '../../src/protocol/commands';
import type { TaskmasterError } from '../../src/protocol/errors';
import { parseRequest, parseServerMessage } from '../../src/protocol/wire';
import { HANDLERS } from '../../src/server/handlers';

const JOB_COMMANDS = new Set(JobService.methods.map((m) => m.localName));

/** The error parseRequest throws for `line`. */
function refusal(line: string): { code: string; message: string } {
  try {
    parseRequest(line);
  } catch (err) {
    const { code, message } = err as TaskmasterError;
    return { code, message };
  }
  assert.fail(`accepted: ${line.slice(0, 200)}`);
}

test('every command of the schema has a handler, a right, and is accepted by the parser with every field unset', () => {
  assert.equal(COMMAND_NAMES.length, 27);
  for (const cmd of COMMAND_NAMES) {
    assert.equal(typeof HANDLERS[cmd], 'function', `handler of ${cmd}`);
    assert.ok(['read', 'control', 'jobs', 'admin'].includes(RIGHTS[cmd]), `right of ${cmd}`);
    const req = parseRequest(JSON.stringify({ id: 7, cmd }));
    assert.equal(req.cmd, cmd);
    assert.equal(req.id, 7);
  }
  // Nothing more in the tables than the schema's commands.
  assert.deepEqual(Object.keys(HANDLERS).sort(), [...COMMAND_NAMES].sort());
  assert.deepEqual(Object.keys(RIGHTS).sort(), [...COMMAND_NAMES].sort());
});

// The rpcs whose taskmasterctl command has another name.
const CLI_NAME_OF: Partial<Record<string, string>> = { watch: 'top', logUrl: 'http', createToken: 'token', listTokens: 'token', revokeToken: 'token', attach: 'fg', sendInput: 'fg' };

test('every supervisor command has a taskmasterctl command of its name (the job commands are the remote CLI\'s)', () => {
  const cli = new Set(CLI_COMMANDS.map((c) => c.name));
  assert.deepEqual(COMMAND_NAMES.filter((c) => !JOB_COMMANDS.has(c) && !cli.has(CLI_NAME_OF[c] ?? c)), []);
});

test('no input message has a field named like the envelope (id, cmd, as)', () => {
  for (const [cmd, method] of COMMANDS) {
    for (const f of method.input.fields) assert.ok(!['id', 'cmd', 'as'].includes(f.name) && !['id', 'cmd', 'as'].includes(f.jsonName), `${cmd}.${f.name}`);
  }
});

test('a request is the envelope plus the input message in protobuf JSON; both field spellings are read', () => {
  const tail = parseRequest('{"id":3,"cmd":"tail","name":"web","stream":"OUTPUT_STREAM_STDERR","lines":5,"follow":true}');
  assert.equal(tail.cmd, 'tail');
  if (tail.cmd !== 'tail') return;
  assert.deepEqual([tail.input.name, tail.input.stream, tail.input.lines, tail.input.follow, tail.as], ['web', OutputStream.STDERR, 5, true, null]);
  const ps = parseRequest('{"id":1,"cmd":"ps","job_id":"j1"}');
  const kill = parseRequest('{"id":1,"cmd":"kill","jobId":"j2","signal":"KILL","as":"alice"}');
  assert.ok(ps.cmd === 'ps' && ps.input.jobId === 'j1');
  assert.ok(kill.cmd === 'kill' && kill.input.jobId === 'j2' && kill.as === 'alice');
  const pid = parseRequest('{"id":1,"cmd":"pid","name":null}');
  assert.ok(pid.cmd === 'pid' && pid.input.name === undefined, 'null is unset, as protobuf JSON has it');
});

test('the old format is refused where it changed: stream names, the hello version is checked by the connection', () => {
  const old = refusal('{"id":1,"cmd":"tail","name":"web","stream":"stdout","lines":5,"follow":false}');
  assert.equal(old.code, 'EBADREQUEST');
  assert.match(old.message, /^field "stream" of tail: /);
  // Old results: a bare array as a result, a chunk instead of an item.
  assert.throws(() => parseServerMessage('{"id":1,"ok":true,"result":[{"name":"web"}]}'), { code: 'EBADREQUEST' });
  assert.throws(() => parseServerMessage('{"id":1,"chunk":"text"}'), { code: 'EBADREQUEST' });
  assert.deepEqual(parseServerMessage('{"id":1,"item":{"data":"text"}}'), { id: 1, item: { data: 'text' } });
});

test('unknown fields and wrong types are EBADREQUEST naming the field', () => {
  assert.deepEqual(refusal('{"id":1,"cmd":"status","name":"web"}'), {
    code: 'EBADREQUEST',
    message: 'unknown field "name" in status; its fields are id, cmd, as, names, stats',
  });
  assert.match(refusal('{"id":1,"cmd":"stop","names":["web",7]}').message, /^field "names" of stop: .*7/);
  assert.match(refusal('{"id":1,"cmd":"tail","lines":-1}').message, /^field "lines" of tail: /);
  assert.match(refusal('{"id":1,"cmd":"status","as":7}').message, /^field "as" must be an identity name/);
  assert.equal(refusal('{"id":0,"cmd":"hello","version":2,"as":"alice"}').message, 'hello takes no "as"');
  assert.equal(refusal('{"id":0,"cmd":"hello"}').message, 'field "version" of hello must be an integer, got nothing');
  assert.equal(refusal('{"id":-1,"cmd":"status"}').message, 'field "id" must be a non-negative integer, got -1');
  assert.equal(refusal('{"id":1,"cmd":"status","__proto__":{"names":["x"]}}').message, 'unknown field "__proto__" in status; its fields are id, cmd, as, names, stats');
});

test('messages stay short whatever the request holds: a 1 MB key or value, a value nested 100,000 deep', () => {
  const big = 'x'.repeat(1024 * 1024);
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const lines = [
    `{"id":1,"cmd":"status","${big}":1}`,
    `{"id":1,"cmd":"status","names":"${big}"}`,
    `{"id":1,"cmd":"tail","stream":"${big}"}`,
    `{"id":1,"cmd":"run","env":{"A":["${big}"]}}`,
    `{"id":1,"cmd":"status","names":${deep}}`,
    `{"id":1,"cmd":"config","name":${deep}}`,
    `{"id":1,"cmd":"${big}"}`,
  ];
  for (const line of lines) {
    const r = refusal(line);
    assert.ok(r.code === 'EBADREQUEST' || r.code === 'EUNKNOWNCMD', r.code);
    assert.ok(r.message.length < 400, `${r.message.length} characters: ${r.message.slice(0, 100)}`);
  }
});

test('an unknown command is EUNKNOWNCMD, naming every command', () => {
  assert.deepEqual(refusal('{"id":1,"cmd":"frob"}'), {
    code: 'EUNKNOWNCMD',
    message: `unknown command "frob"; commands are hello, ${COMMAND_NAMES.join(', ')}`,
  });
});
