// token create|list|revoke: the remote API's bearer tokens (createToken,
// listTokens, revokeToken). Needs the admin right: the local socket has it,
// remotely an identity with `admin: true`. The secret is printed once, by
// create; the daemon keeps only its hash.
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { TokenRole, type Token } from '../../gen/taskmaster/v1/tokens_pb';
import { DURATION_SYNTAX, durationSeconds } from '../../config/duration';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage-error';
import type { Command, CommandContext, ParsedArgs } from './types';

const USAGE = 'token create NAME [--role read|control] [--expires 30d] | token list | token revoke NAME';

const iso = (t: Timestamp | undefined): string | null => (t === undefined ? null : timestampDate(t).toISOString());
const roleName = (r: TokenRole): string => (r === TokenRole.CONTROL ? 'control' : 'read');

export function tokenView(t: Token, nowMs: number) {
  const expires = t.expiresAt === undefined ? null : timestampDate(t.expiresAt).getTime();
  return { name: t.name, role: roleName(t.role), created_at: iso(t.createdAt), expires_at: iso(t.expiresAt), expired: expires !== null && expires <= nowMs };
}

export function tokenTable(views: readonly ReturnType<typeof tokenView>[]): string {
  if (views.length === 0) return 'no tokens';
  const width = Math.max(4, ...views.map((v) => v.name.length)) + 3;
  const head = `${'NAME'.padEnd(width)}${'ROLE'.padEnd(9)}${'CREATED'.padEnd(26)}EXPIRES`;
  const rows = views.map((v) => `${v.name.padEnd(width)}${v.role.padEnd(9)}${(v.created_at ?? '').padEnd(26)}${v.expires_at ?? 'never'}${v.expired ? ' (expired)' : ''}`);
  return [head, ...rows].join('\n');
}

function roleArg(value: unknown): TokenRole {
  if (value === undefined || value === 'read') return TokenRole.READ;
  if (value === 'control') return TokenRole.CONTROL;
  throw new UsageError(`token create: --role is read or control, got ${JSON.stringify(value)}`);
}

function expiresArg(value: unknown): bigint {
  if (value === undefined || value === 'never') return 0n;
  const seconds = durationSeconds(String(value));
  if (seconds === null || seconds < 1) throw new UsageError(`token create: --expires is a duration of at least 1s (${DURATION_SYNTAX}) or never, got ${JSON.stringify(value)}`);
  return BigInt(Math.ceil(seconds));
}

function name(args: ParsedArgs, sub: string): string {
  const n = args.positionals[1];
  if (n === undefined) throw new UsageError(`token ${sub} needs a NAME; usage: ${USAGE}`);
  return n;
}

async function create(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const request = { name: name(args, 'create'), role: roleArg(args.flags.role), expiresInS: expiresArg(args.flags.expires) };
  const { token, secret } = await (await ctx.caller()).call('createToken', request);
  if (token === undefined) throw new Error('BUG: createToken answered without its token');
  const view = tokenView(token, Date.now());
  ctx.emit(
    { ...view, secret },
    [
      `token ${view.name} created: ${view.role}, expires ${view.expires_at ?? 'never'}`,
      'Its secret, shown this once (only its hash is kept):',
      '',
      `  ${secret}`,
      '',
      'Send it in a header, never in a URL, e.g.:',
      `  curl --cacert ca.crt -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' https://HOST:7443/taskmaster.v1.ControlService/Status`,
    ].join('\n'),
  );
  return EXIT.OK;
}

export const token: Command = {
  name: 'token',
  usage: USAGE,
  summary: "the remote API's bearer tokens: create one (its secret is printed once), list them, revoke one",
  positionals: [
    { name: 'create|list|revoke', complete: 'none', required: true },
    { name: 'NAME', complete: 'none', required: false },
  ],
  flags: [
    { flag: '-r', long: '--role', key: 'role', value: 'string' },
    { flag: '-x', long: '--expires', key: 'expires', value: 'string' },
  ],
  async run(args, ctx) {
    const sub = args.positionals[0];
    if (sub !== 'create' && (args.flags.role !== undefined || args.flags.expires !== undefined)) throw new UsageError(`token ${sub}: --role and --expires are for token create`);
    switch (sub) {
      case 'create':
        return create(args, ctx);
      case 'list': {
        if (args.positionals.length > 1) throw new UsageError(`token list takes no NAME; usage: ${USAGE}`);
        const { tokens } = await (await ctx.caller()).call('listTokens', {});
        const views = tokens.map((t) => tokenView(t, Date.now()));
        ctx.emit(views, tokenTable(views));
        return EXIT.OK;
      }
      case 'revoke': {
        const n = name(args, 'revoke');
        await (await ctx.caller()).call('revokeToken', { name: n });
        ctx.emit({ name: n, revoked: true }, `token ${n} revoked`);
        return EXIT.OK;
      }
      default:
        throw new UsageError(`token: expected create, list or revoke, got ${JSON.stringify(sub)}; usage: ${USAGE}`);
    }
  },
};
