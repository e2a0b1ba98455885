// Which socket to talk to: -s, else -c's taskmasterd.socket, else
// $TASKMASTER_SOCKET, else the default config's, else the default path.
// The config module (and YAML with it) loads only when a file must be read.
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE, DEFAULT_SOCKET } from '../config/default-paths';
import { TaskmasterError } from '../protocol/errors';

export interface SocketChoice {
  socket?: string; // -s
  config?: string; // -c
}

export async function resolveSocket(
  choice: SocketChoice,
  env: NodeJS.ProcessEnv,
  defaultConfigFile: string = DEFAULT_CONFIG_FILE,
): Promise<string> {
  if (choice.socket) return choice.socket;
  if (choice.config) return socketFromConfig(choice.config);
  if (env.TASKMASTER_SOCKET) return env.TASKMASTER_SOCKET;
  if (existsSync(defaultConfigFile)) return socketFromConfig(defaultConfigFile);
  return DEFAULT_SOCKET;
}

async function socketFromConfig(file: string): Promise<string> {
  const { socketPathOf } = await import('../config/socket-path');
  try {
    return socketPathOf(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new TaskmasterError('EBADCONFIG', `cannot read the socket path from ${file}: ${reason} (or give it with -s)`, {
      cause: e,
    });
  }
}
