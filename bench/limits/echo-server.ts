// The limit for ctl and clients: a bare Unix socket server that writes back
// every chunk it reads. Run as its own process: node echo-server.js SOCKET
import { createServer } from 'node:net';

const path = process.argv[2];
if (!path) process.exit(2);
const server = createServer((sock) => {
  sock.on('data', (chunk) => sock.write(chunk));
  sock.on('error', () => sock.destroy());
});
server.listen(path, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
