// supervisord-style %(name)s templates in log paths, so the instances of a
// program with numprocs > 1 can each have their own file.

export interface TemplateVars {
  program_name: string;
  process_num: number;
  process_name: string;
}

const TEMPLATE = /%\((program_name|process_name)\)s|%\(process_num\)(0\d+)?d/g;
const PER_INSTANCE = /%\(process_name\)s|%\(process_num\)(0\d+)?d/;

/** Replaces %(program_name)s, %(process_name)s, %(process_num)d and
 *  %(process_num)0Nd (zero-padded to N digits); anything else stays as is. */
export function expandTemplate(template: string, vars: TemplateVars): string {
  return template.replace(TEMPLATE, (_match, name: string | undefined, pad: string | undefined) => {
    if (name === 'program_name') return vars.program_name;
    if (name === 'process_name') return vars.process_name;
    const width = pad === undefined ? 0 : parseInt(pad, 10);
    return String(vars.process_num).padStart(width, '0');
  });
}

/** Whether the template differs between instances of one program. */
export function variesPerInstance(template: string): boolean {
  return PER_INSTANCE.test(template);
}
