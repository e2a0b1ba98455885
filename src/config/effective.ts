// A program's settings as they take effect, written back in the config's own
// vocabulary (the table's `show`), for `taskmasterctl config`-style display.
import { showSettings } from './field-table';
import { PROGRAM_FIELDS } from './program-fields';
import type { ProgramConfig } from './types';

export function effectiveProgram(p: ProgramConfig): Record<string, unknown> {
  return showSettings(PROGRAM_FIELDS, p);
}
