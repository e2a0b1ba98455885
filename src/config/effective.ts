// A program's settings as they take effect, written back in the config's own
// vocabulary (the table's `show`), for `taskmasterctl config`-style display.
import { PROGRAM_KEYS, showSetting } from './program-fields';
import type { ProgramConfig } from './types';

export function effectiveProgram(p: ProgramConfig): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const key of PROGRAM_KEYS) shown[key] = showSetting(key, p[key]);
  return shown;
}
