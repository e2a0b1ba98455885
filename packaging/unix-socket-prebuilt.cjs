// node-unix-socket (sd_notify's datagram socket) ships its native addon as
// one npm package per platform, listed in its optionalDependencies; npm
// installs only the one that fits the machine it runs on. The single
// executable carries that one, so a build picks it for the machine that
// builds: its platform, its CPU (process.arch) and its C library.
'use strict';
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const PACKAGE = 'node-unix-socket';
/** The name the daemon asks the single executable for (src/notify/addon.ts). */
const ASSET = 'node-unix-socket.node';

/**
 * The package, among `listed`, built for this platform, CPU and libc
 * ('gnu' or 'musl'), or null. The libc part may go on (linux-arm's is
 * 'gnueabihf'); the trailing '-' keeps 'arm' from matching 'arm64'.
 */
function prebuiltFor(platform, arch, libc, listed) {
  const prefix = `${PACKAGE}-${platform}-${arch}-`;
  return listed.find((name) => name.startsWith(prefix) && name.slice(prefix.length).startsWith(libc)) ?? null;
}

/** glibc reports its version to Node; musl does not. */
function buildLibc() {
  return process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl';
}

/**
 * The prebuilt for this machine, from the project's node_modules: its package
 * name (what a plain `node` run of the bundle requires) and its .node file,
 * relative to `root` (the SEA asset). Throws with what to do when there is
 * none for this machine, or when npm has not installed it.
 */
function unixSocketPrebuilt(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'node_modules', PACKAGE, 'package.json'), 'utf8'));
  const listed = Object.keys(manifest.optionalDependencies ?? {});
  const libc = buildLibc();
  const name = prebuiltFor(process.platform, process.arch, libc, listed);
  if (name === null) {
    throw new Error(
      `${PACKAGE} has no prebuilt for ${process.platform}-${process.arch} (${libc} libc); ` +
        `it ships ${listed.map((n) => n.slice(PACKAGE.length + 1)).join(', ')}. ` +
        `taskmasterd needs it for sd_notify: build on one of those machines.`,
    );
  }
  let file;
  try {
    file = require.resolve(name, { paths: [root] });
  } catch {
    throw new Error(`${name}, ${PACKAGE}'s prebuilt for this machine, is not installed: run \`npm install\` here (npm installs only the prebuilt for the machine it runs on)`);
  }
  return { name, file: relative(root, file), asset: ASSET };
}

module.exports = { ASSET, prebuiltFor, unixSocketPrebuilt };
