// The metrics text from a snapshot of processes, their resource use and the
// job counts: names, labels and values as Prometheus reads them; a sample
// that was not measured is absent, never 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { ProcessState, ProcessStatsSchema, ProcessStatusSchema } from '../../src/gen/taskmaster/v1/control_pb';
import type { JobCounts } from '../../src/jobs/job-state';
import { daemonRegistry, type MetricsSnapshot, type ProcessSample, renderMetrics } from '../../src/server/metrics-render';

const NO_JOBS: JobCounts = { running: new Map(), finished: new Map() };

function sample(name: string, state: ProcessState, extra: { restarts?: number; stats?: boolean; start?: number } = {}): ProcessSample {
  const status = create(ProcessStatusSchema, { name, program: name.split(':')[0]!, state, restarts: extra.restarts ?? 0 });
  if (extra.stats === true) {
    status.stats = create(ProcessStatsSchema, { cpuSeconds: 12.5, rssBytes: 3_000_000_000n, ussBytes: 1_048_576n, threads: 4, fds: 9, processes: 2 });
  }
  return { status, startTimeSeconds: extra.start ?? null };
}

/** The samples of the text, as `name{labels} value` lines, without comments. */
async function samples(s: MetricsSnapshot): Promise<string[]> {
  const { text } = await renderMetrics(s, null);
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

const of = (lines: string[], family: string): string[] => lines.filter((l) => l.startsWith(`${family}{`) || l.startsWith(`${family} `));

test('a running process with measured stats: state, up, restarts, start time, CPU, memory, threads, fds', async () => {
  const lines = await samples({ version: '1.2.3', jobs: NO_JOBS, processes: [sample('web:0', ProcessState.RUNNING, { restarts: 2, stats: true, start: 1_700_000_000.25 })] });
  const web = '{program="web",process="web:0"}';
  assert.deepEqual(of(lines, 'taskmaster_build_info'), ['taskmaster_build_info{version="1.2.3"} 1']);
  assert.deepEqual(of(lines, 'taskmaster_process_state'), [
    'taskmaster_process_state{program="web",process="web:0",state="STOPPED"} 0',
    'taskmaster_process_state{program="web",process="web:0",state="STARTING"} 0',
    'taskmaster_process_state{program="web",process="web:0",state="RUNNING"} 1',
    'taskmaster_process_state{program="web",process="web:0",state="BACKOFF"} 0',
    'taskmaster_process_state{program="web",process="web:0",state="STOPPING"} 0',
    'taskmaster_process_state{program="web",process="web:0",state="EXITED"} 0',
    'taskmaster_process_state{program="web",process="web:0",state="FATAL"} 0',
  ]);
  assert.deepEqual(
    [
      'taskmaster_process_up',
      'taskmaster_process_restarts_total',
      'taskmaster_process_start_time_seconds',
      'taskmaster_process_cpu_seconds_total',
      'taskmaster_process_resident_memory_bytes',
      'taskmaster_process_private_memory_bytes',
      'taskmaster_process_threads',
      'taskmaster_process_open_fds',
    ].flatMap((f) => of(lines, f)),
    [
      `taskmaster_process_up${web} 1`,
      `taskmaster_process_restarts_total${web} 2`,
      `taskmaster_process_start_time_seconds${web} 1700000000.25`,
      `taskmaster_process_cpu_seconds_total${web} 12.5`,
      `taskmaster_process_resident_memory_bytes${web} 3000000000`,
      `taskmaster_process_private_memory_bytes${web} 1048576`,
      `taskmaster_process_threads${web} 4`,
      `taskmaster_process_open_fds${web} 9`,
    ],
  );
});

test('a process without a child, and a running one whose use was not measured: no start time, CPU or memory samples at all', async () => {
  const lines = await samples({
    version: 'v',
    jobs: NO_JOBS,
    processes: [sample('cron', ProcessState.FATAL, { restarts: 3 }), sample('api', ProcessState.RUNNING, { start: 1_700_000_000 })],
  });
  assert.deepEqual(of(lines, 'taskmaster_process_up'), ['taskmaster_process_up{program="cron",process="cron"} 0', 'taskmaster_process_up{program="api",process="api"} 1']);
  assert.ok(lines.includes('taskmaster_process_state{program="cron",process="cron",state="FATAL"} 1'));
  assert.ok(lines.includes('taskmaster_process_restarts_total{program="cron",process="cron"} 3'));
  assert.deepEqual(of(lines, 'taskmaster_process_start_time_seconds'), ['taskmaster_process_start_time_seconds{program="api",process="api"} 1700000000']);
  for (const family of ['cpu_seconds_total', 'resident_memory_bytes', 'private_memory_bytes', 'threads', 'open_fds']) {
    assert.deepEqual(of(lines, `taskmaster_process_${family}`), [], family);
  }
});

test('jobs: running per owner, finished per owner and by how they ended', async () => {
  const jobs: JobCounts = {
    running: new Map([['ops', 2]]),
    finished: new Map([['dev', { EXITED: 5, KILLED: 1, FAILED: 0 }]]),
  };
  const lines = await samples({ version: 'v', jobs, processes: [] });
  assert.deepEqual(of(lines, 'taskmaster_jobs_running'), ['taskmaster_jobs_running{owner="ops"} 2']);
  assert.deepEqual(of(lines, 'taskmaster_jobs_finished_total'), [
    'taskmaster_jobs_finished_total{owner="dev",state="EXITED"} 5',
    'taskmaster_jobs_finished_total{owner="dev",state="KILLED"} 1',
    'taskmaster_jobs_finished_total{owner="dev",state="FAILED"} 0',
  ]);
});

test('label values are escaped as the text format wants them', async () => {
  const lines = await samples({ version: 'a"b\\c\nd', jobs: NO_JOBS, processes: [] });
  assert.deepEqual(of(lines, 'taskmaster_build_info'), ['taskmaster_build_info{version="a\\"b\\\\c\\nd"} 1']);
});

test("counters end in _total, every family has HELP and TYPE; the daemon's own metrics are prom-client's, without its _total gauges", async () => {
  const daemon = daemonRegistry();
  const { text, contentType } = await renderMetrics({ version: 'v', jobs: NO_JOBS, processes: [sample('web', ProcessState.RUNNING, { stats: true, start: 1 })] }, daemon);
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  const helps = new Set([...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]!));
  assert.deepEqual([...types.keys()].filter((n) => !helps.has(n)), []);
  for (const [name, type] of types) {
    assert.equal(type === 'counter', name.endsWith('_total'), `${name} is a ${type}`);
    assert.match(name, /^[a-z_][a-z0-9_]*$/);
  }
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles']) {
    assert.ok(types.has(name), name);
  }
  assert.ok([...types.keys()].some((n) => n.startsWith('taskmaster_process_')));
});
