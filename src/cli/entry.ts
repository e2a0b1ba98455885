// The binary's door into taskmasterctl (see src/main.ts): the real process as its IO.
import { runCtl } from './main';
import { processIO } from './process-io';

export async function runCtlMain(argv: string[]): Promise<number> {
  const io = processIO();
  const code = await runCtl(argv, io);
  // The caller then calls process.exit(), which drops what a pipe has not
  // taken yet: `taskmasterctl tail -n 100000 web | less` got 64 KiB.
  await io.flushed();
  return code;
}
