// The binary's door into taskmasterctl (see src/main.ts): the real process as its IO.
import { runCtl } from './main';
import { processIO } from './process-io';

export async function runCtlMain(argv: string[]): Promise<number> {
  const code = await runCtl(argv, processIO());
  // The caller then calls process.exit(), which drops what a pipe has not
  // taken yet: `taskmasterctl tail -n 100000 web | less` got 64 KiB. An empty
  // write's callback runs once everything written before it is out.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  return code;
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
}
