// Valid configs load to exact typed values; absent keys take the defaults.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { jobsDir } from '../../src/config/daemon-fields';
import type { ProgramConfig } from '../../src/config/types';
import { configOf, load, webProgram } from '../fixtures/config/temp-config';

const FULL = `taskmasterd:
  socket: run/taskmaster.sock
  socket_mode: "0750"
  logfile: log/taskmasterd.log
  logfile_maxbytes: 1KB
  logfile_backups: 3
  logfile_frequency: daily
  childlogdir: children
  loglevel: debug
  umask: 027
  socket_owner: root:adm
  jobs_dir: spool
  job_output_max: 1MB
  job_retention: 1h30m
  job_max_running: 4
  job_kill_grace: 2.5
  remote: ~ # its keys: config-remote.test.ts (they need certificate files)
programs:
  nginx:
    cmd: "/usr/sbin/nginx -g 'daemon off;' $HOME"
    numprocs: 2
    umask: 027
    workingdir: work
    autostart: false
    autorestart: true
    exitcodes: [0, 2]
    startretries: 5
    starttime: 0.5
    stopsignal: SIGquit
    stoptime: 2.5
    restartdelay: 0.5
    restartdelay_max: 30
    stdout: out/%(program_name)s-%(process_num)02d.log
    stderr: none
    env: {STARTED_BY: taskmaster, ANSWER: 42}
    user: www-data
    priority: -3
    stopasgroup: true
    killasgroup: false
    redirect_stderr: false
    stdout_maxbytes: 10B
    stdout_backups: 0
    stderr_maxbytes: 2gb
    stderr_backups: 7
    depends_on: []
`;

// What a program gets for each key it leaves out.
const DEFAULTS: Omit<ProgramConfig, 'name' | 'cmd' | 'argv'> = {
  numprocs: 1,
  umask: null,
  workingdir: null,
  autostart: true,
  autorestart: 'unexpected',
  exitcodes: [0],
  startretries: 3,
  starttime: 1,
  stopsignal: 'TERM',
  stoptime: 10,
  restartdelay: 0,
  restartdelay_max: 0,
  stdout: { kind: 'auto' },
  stderr: { kind: 'auto' },
  stdout_maxbytes: 50 * 1024 * 1024,
  stdout_backups: 10,
  stderr_maxbytes: 50 * 1024 * 1024,
  stderr_backups: 10,
  redirect_stderr: false,
  env: {},
  user: null,
  priority: 999,
  stopasgroup: false,
  killasgroup: false,
  memory_max: null,
  memory_high: null,
  cpu_max: null,
  pids_max: null,
  io_weight: null,
  depends_on: [],
  on_exit: null,
  on_fatal: null,
  on_state: null,
  fatal_action: 'none',
  stdout_timestamps: false,
  stderr_timestamps: false,
  env_file: { files: [], vars: {} },
  ready: null,
  ready_timeout: 60,
  watchdog_sec: null,
  healthcheck: null,
  stdin: null,
  tty: false,
};

test('a config using every key loads to exactly the typed values', () => {
  const { dir, file, result } = load(FULL);
  assert.deepEqual(result, {
    ok: true,
    warnings: [],
    config: {
      file,
      daemon: {
        socket: join(dir, 'run/taskmaster.sock'),
        socket_mode: 0o750,
        logfile: join(dir, 'log/taskmasterd.log'),
        logfile_maxbytes: 1024,
        logfile_backups: 3,
        logfile_frequency: 'daily',
        childlogdir: join(dir, 'children'),
        loglevel: 'debug',
        umask: 0o27,
        user: null,
        socket_owner: 'root:adm',
        jobs_dir: join(dir, 'spool'),
        job_output_max: 1024 * 1024,
        job_retention: 5400,
        job_max_running: 4,
        job_kill_grace: 2.5,
        remote: null,
        on_exit: null,
        on_fatal: null,
        on_state: null,
        fatal_action: 'none',
        syslog: false,
        syslog_socket: '/dev/log',
      },
      programs: [
        {
          // The keys FULL does not set (limits, hooks, readiness, …) are the defaults.
          ...DEFAULTS,
          name: 'nginx',
          cmd: "/usr/sbin/nginx -g 'daemon off;' $HOME",
          argv: ['/usr/sbin/nginx', '-g', 'daemon off;', '$HOME'],
          numprocs: 2,
          umask: 0o27,
          workingdir: join(dir, 'work'),
          autostart: false,
          autorestart: 'always',
          exitcodes: [0, 2],
          startretries: 5,
          starttime: 0.5,
          stopsignal: 'QUIT',
          stoptime: 2.5,
          restartdelay: 0.5,
          restartdelay_max: 30,
          stdout: { kind: 'file', path: join(dir, 'out/%(program_name)s-%(process_num)02d.log') },
          stderr: { kind: 'none' },
          stdout_maxbytes: 10,
          stdout_backups: 0,
          stderr_maxbytes: 2 * 1024 ** 3,
          stderr_backups: 7,
          redirect_stderr: false,
          env: { STARTED_BY: 'taskmaster', ANSWER: '42' },
          user: 'www-data',
          priority: -3,
          stopasgroup: true,
          killasgroup: false,
          depends_on: [],
        },
      ],
    },
  });
});


test('absent keys take the defaults, daemon and program', () => {
  const { file, result } = load(webProgram());
  assert.deepEqual(configOf(result), {
    file,
    daemon: {
      socket: '/run/taskmaster/taskmaster.sock',
      socket_mode: 0o700,
      logfile: null,
      logfile_maxbytes: 50 * 1024 * 1024,
      logfile_backups: 10,
      logfile_frequency: null,
      childlogdir: '/var/log/taskmaster',
      loglevel: 'info',
      umask: null,
      user: null,
      socket_owner: null,
      jobs_dir: null,
      job_output_max: 100 * 1024 * 1024,
      job_retention: 3600,
      job_max_running: 16,
      job_kill_grace: 10,
      remote: null,
      on_exit: null,
      on_fatal: null,
      on_state: null,
      fatal_action: 'none',
      syslog: false,
      syslog_socket: '/dev/log',
    },
    programs: [{ name: 'web', cmd: '/bin/true', argv: ['/bin/true'], ...DEFAULTS }],
  });
});

test('an empty file, an absent or empty programs map, and null sections are valid', () => {
  for (const text of ['', '# nothing\n', 'programs:\n', 'programs: {}\n', 'taskmasterd:\ninclude:\nprograms: ~\n']) {
    const config = configOf(load(text).result);
    assert.deepEqual(config.programs, [], text);
    assert.equal(config.daemon.loglevel, 'info', text);
  }
});

test('umask is octal as written: 022, "0022", 0o22 and 22 all mean 0o22', () => {
  for (const written of ['022', '"0022"', '0o22', '22', "'022'"]) {
    const [p] = configOf(load(webProgram(`umask: ${written}`)).result).programs;
    assert.equal(p!.umask, 0o22, written);
  }
  assert.equal(configOf(load(webProgram('umask: 0')).result).programs[0]!.umask, 0);
  assert.equal(configOf(load(webProgram('umask: 777')).result).programs[0]!.umask, 0o777);
  assert.equal(configOf(load(webProgram('umask: ~')).result).programs[0]!.umask, null);
});

test('socket_mode is octal as written too', () => {
  for (const written of ['0660', '660', '"0660"', '0o660']) {
    const config = configOf(load(`taskmasterd:\n  socket_mode: ${written}\n`).result);
    assert.equal(config.daemon.socket_mode, 0o660, written);
  }
});

test('env values are kept exactly as written in the source', () => {
  const env = [
    'env:',
    '      ANSWER: 42',
    '      YES: yes',
    '      PRICE: 1.50',
    '      ON: on',
    '      HEX: 0x1F',
    '      BOOL: true',
    '      QUOTED: "a b: c"',
    "      SINGLE: '007'",
    '      EMPTY: ""',
    '      PATHS: /bin:/usr/bin',
  ];
  const [p] = configOf(load(webProgram(...env)).result).programs;
  assert.deepEqual(p!.env, {
    ANSWER: '42', YES: 'yes', PRICE: '1.50', ON: 'on', HEX: '0x1F', BOOL: 'true',
    QUOTED: 'a b: c', SINGLE: '007', EMPTY: '', PATHS: '/bin:/usr/bin',
  });
});

test('cmd is split into argv with shell-like quoting, $VAR kept literal', () => {
  const [p] = configOf(load(webProgram().replace('/bin/true', `'/bin/echo "a b" c\\ d $USER \${HOME}'`)).result).programs;
  assert.deepEqual(p!.argv, ['/bin/echo', 'a b', 'c d', '$USER', '$HOME']);
});

test('killasgroup defaults to the program\'s stopasgroup', () => {
  const [p] = configOf(load(webProgram('stopasgroup: true')).result).programs;
  assert.equal(p!.killasgroup, true);
  const [q] = configOf(load(webProgram('stopasgroup: true', 'killasgroup: false')).result).programs;
  assert.equal(q!.killasgroup, false);
});

test('value forms: autorestart, exitcodes, stopsignal, sizes, user, log targets', () => {
  const cases: [string, keyof ProgramConfig, unknown][] = [
    ['autorestart: false', 'autorestart', 'never'],
    ['autorestart: unexpected', 'autorestart', 'unexpected'],
    ['exitcodes: 2', 'exitcodes', [2]],
    ['exitcodes: [255, 0]', 'exitcodes', [255, 0]],
    ['stopsignal: TERM', 'stopsignal', 'TERM'],
    ['stopsignal: SIGTERM', 'stopsignal', 'TERM'],
    ['stopsignal: term', 'stopsignal', 'TERM'],
    ['stopsignal: 15', 'stopsignal', 'TERM'],
    ['stopsignal: "9"', 'stopsignal', 'KILL'],
    ['stopsignal: 6', 'stopsignal', 'ABRT'],
    ['stdout_maxbytes: 0', 'stdout_maxbytes', 0],
    ['stdout_maxbytes: 1234', 'stdout_maxbytes', 1234],
    ['stdout_maxbytes: 50MB', 'stdout_maxbytes', 50 * 1024 * 1024],
    ['stdout_maxbytes: 3kb', 'stdout_maxbytes', 3072],
    ['stdout_maxbytes: "1 GB"', 'stdout_maxbytes', 1024 ** 3],
    ['user: 1000', 'user', '1000'],
    ['user: root', 'user', 'root'],
    ['user: ~', 'user', null],
    ['stdout: none', 'stdout', { kind: 'none' }],
    ['stdout: /var/log/web.log', 'stdout', { kind: 'file', path: '/var/log/web.log' }],
    ['starttime: 0', 'starttime', 0],
    ['stoptime: 7', 'stoptime', 7],
    ['priority: 0', 'priority', 0],
    ['workingdir: /srv', 'workingdir', '/srv'],
  ];
  for (const [line, key, want] of cases) {
    const [p] = configOf(load(webProgram(line)).result).programs;
    assert.deepEqual(p![key], want, line);
  }
});

test('numprocs > 1 accepts a log path naming the process', () => {
  for (const path of ['/l/%(process_num)d.log', '/l/%(process_num)03d.log', '/l/%(process_name)s.log']) {
    const [p] = configOf(load(webProgram('numprocs: 3', `stdout: ${path}`, `stderr: ${path}`)).result).programs;
    assert.deepEqual(p!.stdout, { kind: 'file', path }, path);
  }
});

test('YAML anchors and aliases are followed', () => {
  const text = 'programs:\n  a: &base\n    cmd: /bin/a\n    stoptime: 3\n  b:\n    cmd: *cmdb\n'.replace('*cmdb', '&cmdb /bin/b');
  const config = configOf(load(text + '  c: *base\n').result);
  assert.deepEqual(config.programs.map((p) => [p.name, p.cmd, p.stoptime]), [['a', '/bin/a', 3], ['b', '/bin/b', 10], ['c', '/bin/a', 3]]);
});

test('programs keep file order', () => {
  const config = configOf(load('programs:\n  zeta: {cmd: z}\n  alpha: {cmd: a}\n  mid: {cmd: m}\n').result);
  assert.deepEqual(config.programs.map((p) => p.name), ['zeta', 'alpha', 'mid']);
});

test('redirect_stderr with a stderr target loads, with a warning at stderr', () => {
  const { file, result } = load(webProgram('redirect_stderr: true', 'stderr: /tmp/e.log'));
  assert.equal(configOf(result).programs[0]!.redirect_stderr, true);
  assert.deepEqual(result.warnings.map((w) => ({ ...w, message: w.message.includes('stderr is ignored') })), [
    { file, line: 5, col: 5, program: 'web', key: 'stderr', message: true },
  ]);
});

test('numprocs > 1 with redirect_stderr does not require a per-process stderr path', () => {
  const { result } = load(webProgram('numprocs: 2', 'redirect_stderr: true', 'stderr: /tmp/shared.log'));
  assert.equal(configOf(result).programs[0]!.numprocs, 2);
});

test('job durations: seconds, or number-unit pairs; jobs_dir defaults to jobs in childlogdir', () => {
  const cases: [string, number][] = [['3600', 3600], ['0.5', 0.5], ['500ms', 0.5], ['90s', 90], ['1h30m', 5400], ['2d', 172800], ['1m1s', 61]];
  for (const [written, seconds] of cases) {
    const config = configOf(load(`taskmasterd:\n  job_retention: ${written}\n  job_kill_grace: ${written}\n`).result);
    assert.equal(config.daemon.job_retention, seconds, written);
    assert.equal(config.daemon.job_kill_grace, seconds, written);
  }
  const { dir, result } = load('taskmasterd:\n  childlogdir: logs\n');
  assert.equal(jobsDir(configOf(result).daemon), join(dir, 'logs', 'jobs'));
});
