// The protocol's command list is checked against its Request union at
// compile time; these pin what the run-time list is used for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands';
import type { TaskmasterError } from '../../src/protocol/errors';
import { COMMAND_NAMES } from '../../src/protocol/messages';
import { parseRequest } from '../../src/protocol/validate';

test('every protocol command but the handshake has a CLI command of its name', () => {
  const cli = new Set(COMMANDS.map((c) => c.name));
  assert.deepEqual(COMMAND_NAMES.filter((c) => c !== 'hello' && !cli.has(c)), []);
});

test('the daemon accepts each command of the list and names the list when refusing', () => {
  for (const cmd of COMMAND_NAMES) {
    // Known, so past the command check: parsed, or refused only for a missing field.
    try {
      assert.equal(parseRequest(JSON.stringify({ id: 1, cmd })).cmd, cmd);
    } catch (err) {
      assert.equal((err as TaskmasterError).code, 'EBADREQUEST', cmd);
    }
  }
  assert.throws(() => parseRequest('{"id":1,"cmd":"frob"}'), { code: 'EUNKNOWNCMD', message: `unknown command "frob"; commands are ${COMMAND_NAMES.join(', ')}` });
});
