// http: a short-lived link from which one log of one process can be
// downloaded over HTTPS by anyone who holds it (curl, a browser), served by
// the remote API gateway. Only the URL goes to stdout, so that
// `curl -fO "$(taskmasterctl http web)"` works as it reads.
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { OutputStream } from '../../gen/taskmaster/v1/control_pb';
import { DEFAULT_LINK_SECONDS, MAX_LINK_SECONDS } from '../../protocol/log-link';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage-error';
import type { Command } from './types';

const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** "90", "90s", "5m", "1h" → seconds; null for anything else. */
export function parseExpiry(text: string): number | null {
  const m = /^(\d{1,7})(s|m|h|)$/.exec(text.trim());
  if (m === null) return null;
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return seconds >= 1 && seconds <= MAX_LINK_SECONDS ? seconds : null;
}

export const http: Command = {
  name: 'http',
  usage: 'http [--expires DURATION] NAME [stdout|stderr]',
  summary: `print a link to download a process's log over HTTPS, valid for that log only and ${DEFAULT_LINK_SECONDS / 60} minutes (--expires: 30s, 10m, up to 1h)`,
  flags: [{ flag: '-e', long: '--expires', key: 'expires', value: 'string' }],
  positionals: [
    { name: 'NAME', complete: 'process', required: true },
    { name: 'stdout|stderr', complete: 'stream', required: false },
  ],
  async run({ positionals, flags }, ctx) {
    const [name, stream = 'stdout'] = positionals;
    if (stream !== 'stdout' && stream !== 'stderr') throw new UsageError(`http: the stream is stdout or stderr, not "${stream}"\nusage: ${http.usage}`);
    let expiresSeconds = 0; // the daemon's default
    if (typeof flags.expires === 'string') {
      const parsed = parseExpiry(flags.expires);
      if (parsed === null) throw new UsageError(`http: --expires is a duration from 1s to ${MAX_LINK_SECONDS / 3600}h (90, 90s, 5m, 1h), not "${flags.expires}"`);
      expiresSeconds = parsed;
    }
    const request = { name: name!, stream: stream === 'stdout' ? OutputStream.STDOUT : OutputStream.STDERR, expiresSeconds };
    const { url, expiresAt } = await (await ctx.caller()).call('logUrl', request);
    ctx.emit({ url, expires_at: expiresAt === undefined ? null : timestampDate(expiresAt).toISOString() }, url);
    return EXIT.OK;
  },
};
