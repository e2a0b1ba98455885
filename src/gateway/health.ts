// grpc.health.v1.Health: SERVING while the daemon answers behind the
// gateway, NOT_SERVING when it does not. "Answers" is any coded answer to
// `version` on the gateway socket, a refusal included (the caller's identity
// may have no rights; the daemon is up all the same), except ESHUTDOWN.
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as Status, HealthCheckResponseSchema } from '../gen/grpc/health/v1/health_pb';
import { SERVICES } from '../protocol/commands';
import { PEER } from './peer';
import type { Upstream } from './upstream';
import { callDaemon } from './upstream';

// How often a Watch asks the daemon again. Health watchers are load
// balancers and probes: a few seconds of delay is what they expect.
const WATCH_INTERVAL_MS = 5000;
const KNOWN = new Set(['', ...SERVICES.map((s) => s.typeName), Health.typeName]);

async function daemonStatus(upstream: Upstream, ctx: HandlerContext): Promise<Status> {
  const peer = ctx.values.get(PEER);
  const as = peer.ok ? peer.name : '';
  try {
    const answer = callDaemon(upstream.socket(), { cmd: 'version', as }, ctx.signal);
    while (!(await answer.next()).done);
    return Status.SERVING;
  } catch (err) {
    const e = ConnectError.from(err);
    return e.code === Code.Unavailable ? Status.NOT_SERVING : Status.SERVING;
  }
}

export function addHealthService(router: ConnectRouter, upstream: Upstream): void {
  router.service(Health, {
    async check(req, ctx) {
      if (!KNOWN.has(req.service)) throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
      return create(HealthCheckResponseSchema, { status: await daemonStatus(upstream, ctx) });
    },
    // The current status at once, then each change, until the client leaves.
    async *watch(req, ctx) {
      if (!KNOWN.has(req.service)) {
        yield create(HealthCheckResponseSchema, { status: Status.SERVICE_UNKNOWN });
        await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
        return;
      }
      let last: Status | null = null;
      while (!ctx.signal.aborted) {
        const now = await daemonStatus(upstream, ctx);
        if (now !== last) yield create(HealthCheckResponseSchema, { status: now });
        last = now;
        await sleep(WATCH_INTERVAL_MS, undefined, { signal: ctx.signal }).catch(() => undefined); // aborted: the loop ends
      }
    },
  });
}
