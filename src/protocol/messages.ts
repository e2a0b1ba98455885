// The socket protocol's envelope, defined once for daemon and CLI: one JSON
// object per line. A request is `{"id", "cmd", …the fields of the command's
// input message}` (plus `"as"` on the gateway's socket); what it carries is
// the schema's (protocol/commands.ts, proto/taskmaster/v1), in protobuf's
// JSON form. The client's first request is `hello` with PROTOCOL_VERSION.
//
// Answers: a unary command gets `{"id", "ok": true, "result"}`; a streaming
// one gets `{"id", "item"}` messages, then `{"id", "ok": true, "result": {}}`
// when the stream ends by itself. Either ends early with `{"id", "ok": false,
// "error": {code, message}}`. A follow ends when the client closes.
import type { JsonObject } from '@bufbuild/protobuf';
import type { ErrorInfo } from './errors';

/** 2: requests and results are the schema's messages (1 had hand-written shapes). */
export const PROTOCOL_VERSION = 2;
/** The longest request line the daemon reads. */
export const MAX_LINE_BYTES = 1024 * 1024;
/**
 * The longest line the CLI reads from the daemon. Answers are bigger than
 * requests: `tail -n` returns up to 1 MiB of log, which JSON escaping can
 * grow sixfold, and `status` of 10,000 processes is about 2 MiB.
 */
export const MAX_REPLY_LINE_BYTES = 64 * 1024 * 1024;

/** The handshake: not a command of the schema, the same on every socket. Its result is a VersionResponse. */
export interface HelloRequest {
  id: number;
  cmd: 'hello';
  version: number;
}

/** A message from the daemon, its payload still protobuf JSON. */
export type ServerMessage =
  | { id: number; ok: true; result: JsonObject }
  | { id: number; ok: false; error: ErrorInfo }
  | { id: number; item: JsonObject };
