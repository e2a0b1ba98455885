// The gateway compresses nothing: a client that offers gzip (as grpc-js,
// Connect's client and taskmasterctl all do) still gets output as it is,
// and one that sends a compressed request is told the gateway takes none.
// Checked on the wire with a bare HTTP/2 client, gRPC's framing read by hand.
import assert from 'node:assert/strict';
import { connect as connectH2, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TailRequestSchema, TailResponseSchema } from '../../src/gen/taskmaster/v1/control_pb';
import { type GatewayRig, pem, startRig } from './gateway-helpers';
import { waitFor } from './harness';

const TAIL = '/taskmaster.v1.ControlService/Tail';
// Far above Connect's threshold for compressing a message (1 KiB), and as compressible as output gets.
const BIG = 'x'.repeat(64 * 1024);

let rig: GatewayRig;
let session: ClientHttp2Session;
before(async () => {
  rig = await startRig();
  session = connectH2(`https://localhost:${rig.gateway.port}`, { ca: pem(rig.certs.ca), cert: pem(rig.certs.ops.cert), key: pem(rig.certs.ops.key) });
});
after(async () => {
  session?.close();
  await rig?.close();
});

/** gRPC's message frame: a flag byte (1: compressed), the length, the message. */
function frame(message: Uint8Array, compressed = false): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressed ? 1 : 0, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

interface Message {
  compressed: boolean;
  body: Buffer;
}

/** Reads the frames of `stream` as they come; resolves once `count` whole messages arrived. */
function messages(stream: NodeJS.ReadableStream, count: number): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    const got: Message[] = [];
    stream.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      while (bytes.length >= 5 && bytes.length >= 5 + bytes.readUInt32BE(1)) {
        const length = bytes.readUInt32BE(1);
        got.push({ compressed: bytes[0] === 1, body: bytes.subarray(5, 5 + length) });
        bytes = bytes.subarray(5 + length);
      }
      if (got.length >= count) resolve(got);
    });
    stream.on('error', reject);
    stream.on('end', () => reject(new Error(`the stream ended after ${got.length} of ${count} messages`)));
  });
}

const tailRequest = (follow: boolean): Uint8Array => toBinary(TailRequestSchema, create(TailRequestSchema, { name: 'web', follow }));

test('a client that offers gzip gets a 64 KiB answer uncompressed, with no grpc-encoding', { timeout: 30_000 }, async () => {
  const stream = session.request({
    ':method': 'POST',
    ':path': TAIL,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-accept-encoding': 'gzip, deflate, identity',
  });
  const headers = new Promise<IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
  const got = messages(stream, 2);
  stream.end(frame(tailRequest(true)));
  await waitFor(() => rig.daemon.follows.size === 1, 'the follow to reach the daemon');
  rig.daemon.push(BIG);
  const [first, second] = await got;
  stream.close();
  const h = await headers;
  assert.equal(h[':status'], 200);
  assert.ok(h['grpc-encoding'] === undefined || h['grpc-encoding'] === 'identity', `grpc-encoding: ${String(h['grpc-encoding'])}`);
  assert.deepEqual([first!.compressed, second!.compressed], [false, false]);
  assert.equal(fromBinary(TailResponseSchema, second!.body).data, BIG);
});

test('a compressed request is refused UNIMPLEMENTED, the gateway saying it accepts only identity', { timeout: 30_000 }, async () => {
  const stream = session.request({
    ':method': 'POST',
    ':path': TAIL,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-encoding': 'gzip',
  });
  const answer = new Promise<IncomingHttpHeaders>((resolve) => {
    let headers: IncomingHttpHeaders = {};
    stream.once('response', (h) => (headers = h));
    stream.once('trailers', (t) => resolve({ ...headers, ...t }));
    stream.once('end', () => resolve(headers));
  });
  stream.resume();
  // No follow: were the request taken, the call would end at once, OK.
  stream.end(frame(gzipSync(tailRequest(false)), true));
  const h = await answer;
  assert.equal(h['grpc-status'], '12', `grpc-status ${String(h['grpc-status'])}: ${String(h['grpc-message'])}`);
  assert.ok(!/gzip/.test(String(h['grpc-accept-encoding'] ?? '')), `grpc-accept-encoding: ${String(h['grpc-accept-encoding'])}`);
});
