// What a remote taskmasterctl loads on first use (remote/open.ts): in the
// single executable, a bundle of its own (packaging/build.mjs), so that the
// local socket's commands never read Connect, HTTP/2 or TLS code.
export { remoteCaller } from './caller';
