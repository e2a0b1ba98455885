// The remote API's routes, made from the schema: every method of every
// service in SERVICES forwards to the daemon as the command of its name, so
// an rpc added to the schema is served here with no change. The daemon
// decides every right; the gateway only says who is asking.
import { fromJson, toJson, type DescMessage, type DescMethod, type DescMethodServerStreaming, type DescMethodUnary, type JsonValue, type Message } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { ErrorInfoSchema } from '../gen/taskmaster/v1/control_pb';
import { SERVICES } from '../protocol/commands';
import { addHealthService } from './health';
import { PEER } from './peer';
import { CLIENT_SIDE, type StallPolicy, StallWatch } from './stall';
import { callDaemon, type Upstream } from './upstream';

/** The caller's identity, or Unauthenticated (server.ts's interceptor refuses such a call first; this is the second lock). */
function callerOf(ctx: HandlerContext): string {
  const peer = ctx.values.get(PEER);
  if (peer.ok) return peer.name;
  throw new ConnectError(peer.why, Code.Unauthenticated, undefined, [{ desc: ErrorInfoSchema, value: { code: 'EUNAUTHENTICATED', message: peer.why } }]);
}

function requestOf(method: DescMethod, input: Message, as: string): Record<string, unknown> {
  const fields = toJson(method.input, input, { useProtoFieldName: true }) as Record<string, JsonValue>;
  // After the fields: no input field can stand in for the command or the caller.
  return { ...fields, cmd: method.localName, as };
}

function messageOf(schema: DescMessage, json: unknown): Message {
  try {
    return fromJson(schema, (json ?? {}) as JsonValue);
  } catch (err) {
    throw new ConnectError(`the daemon answered with a ${schema.typeName} that does not parse: ${(err as Error).message}`, Code.Internal);
  }
}

export function gatewayRoutes(upstream: Upstream, stalls: StallPolicy): (router: ConnectRouter) => void {
  return (router) => {
    for (const service of SERVICES) {
      for (const method of service.methods as readonly DescMethod[]) {
        if (method.methodKind === 'unary') {
          router.rpc(method as DescMethodUnary, async (input, ctx) => {
            const answer = callDaemon(upstream.socket(), requestOf(method, input, callerOf(ctx)), ctx.signal);
            for (;;) {
              const next = await answer.next();
              if (next.done) return messageOf(method.output, next.value);
            }
          });
        } else if (method.methodKind === 'server_streaming') {
          router.rpc(method as DescMethodServerStreaming, async function* (input, ctx) {
            const as = callerOf(ctx);
            // A client cut off for not reading: its connection to the daemon
            // goes at once, and with it the daemon's follower.
            const cut = new AbortController();
            const answer = callDaemon(upstream.socket(), requestOf(method, input, as), AbortSignal.any([ctx.signal, cut.signal]));
            const side = ctx.values.get(CLIENT_SIDE);
            if (side === null) throw new ConnectError('BUG: a call the server did not see arrive', Code.Internal);
            const watch = new StallWatch(side, stalls.timeoutMs(), ({ waiting, forMs }) => {
              cut.abort();
              side.cut();
              stalls.onStall({ as, method: `${service.typeName}/${method.name}`, bytes: waiting, seconds: Math.round(forMs / 100) / 10 });
            });
            for await (const item of answer) {
              const taken = watch.handOver();
              try {
                yield messageOf(method.output, item);
              } finally {
                taken();
              }
            }
          });
        } else {
          throw new Error(`BUG: ${method.parent.typeName}.${method.name}: the gateway forwards unary and server-streaming methods only`);
        }
      }
    }
    addHealthService(router, upstream);
  };
}
