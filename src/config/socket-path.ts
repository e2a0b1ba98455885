// The CLI needs only the socket path from a config file; it must not fail
// because some program in the file is invalid, so it reads just that key.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_SOCKET } from './default-paths';

export function socketPathOf(configFile: string): string {
  const doc: unknown = parse(readFileSync(configFile, 'utf8'));
  const daemon = (doc as { taskmasterd?: { socket?: unknown } } | null)?.taskmasterd;
  const socket = daemon?.socket;
  if (typeof socket === 'string' && socket !== '') return resolve(dirname(resolve(configFile)), socket);
  return DEFAULT_SOCKET;
}
