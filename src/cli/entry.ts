// The binary's door into taskmasterctl (see src/main.ts): the real process as its IO.
import { runCtl } from './main';
import { processIO } from './process-io';

export function runCtlMain(argv: string[]): Promise<number> {
  return runCtl(argv, processIO());
}
