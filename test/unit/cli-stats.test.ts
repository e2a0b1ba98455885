// status -l and top's screen: the request asks for stats, the columns show
// them, and top's pure drawing sorts, fits the window and says what it hides.
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, it } from 'node:test';
import { renderTop, sortRows } from '../../src/cli/commands/top-screen';
import { runCtl } from '../../src/cli/main';
import { formatBytes, formatCpuTime } from '../../src/cli/stats-columns';
import { ProcessStatusSchema } from '../../src/gen/taskmaster/v1/control_pb';
import { proc, startFakeDaemon, testIO } from './cli-fake-daemon';

const EXITED_AT = Date.UTC(2026, 11, 3, 12, 0, 5);

const stats = (cpuPercent: number, ussMiB: number) => ({
  cpuPercent,
  cpuSeconds: 65.5,
  rssBytes: BigInt((ussMiB + 2) * 1024 * 1024),
  ussBytes: BigInt(ussMiB * 1024 * 1024),
  threads: 3,
  fds: 12,
  processes: 2,
});

const ROWS = [
  // api as in the cgroup mode, with its cgroup's memory.peak; burner as with process groups only.
  proc('api', 'RUNNING', 'pid 41, uptime 0:01:00', { pid: 41, uptimeS: 60, restarts: 1, stats: { ...stats(5, 300), memoryPeakBytes: 512n * 1024n * 1024n } }),
  proc('burner', 'RUNNING', 'pid 42, uptime 0:01:00', { pid: 42, uptimeS: 60, restarts: 0, stats: stats(99.5, 10) }),
  proc('flaky', 'EXITED', 'exit status 3', { exitcode: 3, restarts: 7, exitedAt: timestampFromMs(EXITED_AT) }),
];
const MESSAGES = ROWS.map((r) => create(ProcessStatusSchema, r));

describe('status -l', () => {
  it('asks for stats and prints a heading and the resource columns', async () => {
    const d = await startFakeDaemon({ status: (_req, conn) => conn.reply({ processes: ROWS }) });
    try {
      const io = testIO();
      const code = await runCtl(['-s', d.path, 'status', '-l'], io);
      assert.equal(code, 3); // flaky is not running
      assert.deepEqual(d.requests.at(-1), { id: 1, cmd: 'status', names: [], stats: true });
      const [heading, api, burner, flaky] = io.out().split('\n');
      assert.match(heading!, /^NAME\s+STATE\s+CPU%\s+USS\s+RSS\s+PEAK\s+RESTARTS\s+TIME\+\s+THR\s+FDS\s+PROCS\s+PID\s+UPTIME\s+LAST EXIT$/);
      assert.match(api!, /^api\s+RUNNING\s+5\.0\s+300M\s+302M\s+512M\s+1\s+1:05\.50\s+3\s+12\s+2\s+41\s+0:01:00\s+-$/);
      assert.match(burner!, /^burner\s+RUNNING\s+99\.5\s+10\.0M\s+12\.0M\s+-\s+0\s/);
      // Not running: no stats, but its restarts and how and when it last ended (local time).
      const d5 = new Date(EXITED_AT);
      const when = `${String(d5.getMonth() + 1).padStart(2, '0')}-${String(d5.getDate()).padStart(2, '0')} ${String(d5.getHours()).padStart(2, '0')}:00:05`;
      assert.match(flaky!, new RegExp(`^flaky\\s+EXITED\\s+-\\s+-\\s+-\\s+-\\s+7\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+exit 3 ${when}$`));
    } finally {
      await d.close();
    }
  });

  it('--json status carries restarts, exited_at (ISO, UTC) and stats (bytes as numbers)', async () => {
    const d = await startFakeDaemon({ status: (_req, conn) => conn.reply({ processes: ROWS }) });
    try {
      const io = testIO();
      await runCtl(['-s', d.path, '--json', 'status', '-l'], io);
      const rows = JSON.parse(io.out()) as Record<string, unknown>[];
      assert.deepEqual(rows[0]!.stats, { cpu_percent: 5, cpu_seconds: 65.5, rss_bytes: 302 * 1024 * 1024, uss_bytes: 300 * 1024 * 1024, memory_peak_bytes: 512 * 1024 * 1024, threads: 3, fds: 12, processes: 2 });
      assert.equal((rows[1]!.stats as Record<string, unknown>).memory_peak_bytes, null, 'no cgroup: no peak');
      assert.equal(rows[0]!.restarts, 1);
      assert.equal(rows[2]!.exited_at, '2026-12-03T12:00:05.000Z');
      assert.equal(rows[2]!.stats, null);
    } finally {
      await d.close();
    }
  });
});

describe('top: the screen', () => {
  const view = { rows: MESSAGES, width: 200, height: 30, at: new Date(2026, 11, 3, 9, 5, 7) };
  const names = (lines: string[]) => lines.slice(4).map((l) => l.split(/\s+/)[0]);

  it('a header with the time, the counts and the keys, then the headings', () => {
    const lines = renderTop({ ...view, sort: 'cpu' });
    assert.equal(lines[0], 'taskmaster top  09:05:07  3 processes, 2 running');
    assert.equal(lines[1], 'sort: cpu   keys: c cpu  m memory  r restarts  q quit');
    assert.match(lines[3]!, /^NAME\s+STATE\s+CPU%/);
  });

  it('sorts by cpu, memory (USS) or restarts, highest first; without stats last', () => {
    assert.deepEqual(names(renderTop({ ...view, sort: 'cpu' })), ['burner', 'api', 'flaky']);
    assert.deepEqual(names(renderTop({ ...view, sort: 'memory' })), ['api', 'burner', 'flaky']);
    assert.deepEqual(names(renderTop({ ...view, sort: 'restarts' })), ['flaky', 'api', 'burner']);
    assert.deepEqual(sortRows([], 'cpu'), []);
  });

  it('fits the window: no line wider, no more lines than it has, and says how many rows it hides', () => {
    const lines = renderTop({ ...view, width: 30, height: 6, sort: 'cpu' });
    assert.equal(lines.length, 6);
    assert.ok(lines.every((l) => l.length <= 30), JSON.stringify(lines));
    assert.equal(lines[4]!.split(/\s+/)[0], 'burner');
    assert.equal(lines[5], '… 2 more (a taller window shows them)'.slice(0, 30));
  });

  it('a window too small for anything but the header draws what fits', () => {
    assert.deepEqual(renderTop({ ...view, width: 10, height: 2, sort: 'cpu' }), ['taskmaster', 'sort: cpu ']);
    assert.deepEqual(renderTop({ ...view, width: 0, height: 0, sort: 'cpu' }), []);
  });

  it('before the first reading it says it waits', () => {
    assert.match(renderTop({ rows: [], width: 80, height: 10, at: null, sort: 'cpu' })[0]!, /waiting for taskmasterd/);
  });
});

describe('the resource columns', () => {
  it('bytes in binary units, CPU time as minutes:seconds', () => {
    assert.deepEqual([0, 512, 1536, 300 * 1024 * 1024, 5 * 1024 ** 3].map(formatBytes), ['0B', '512B', '1.5K', '300M', '5.0G']);
    assert.deepEqual([0, 5.25, 65.5, 3600].map(formatCpuTime), ['0:00.00', '0:05.25', '1:05.50', '60:00.00']);
  });
});
