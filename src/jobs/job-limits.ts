// A run request's limits, read as the config reads a program's (the same
// words: 512M, 50%, max) and refused where this host cannot apply them,
// as a config asking for them is: a job that asked for a fence and silently
// ran without one would be worse than one refused.
import { LIMIT_KEYS, type LimitKey, type Limits, limitFieldName, NO_LIMITS } from '../cgroups/limits';
import type { LimitRefusal } from '../config/limit-refusal';
import {
  BYTES_EXPECTED, CPU_EXPECTED, IO_WEIGHT_EXPECTED, PIDS_EXPECTED,
  parseByteLimit, parseCpuLimit, parseIoWeight, parsePidsLimit,
} from '../config/limit-readers';
import type { JobLimits } from '../gen/taskmaster/v1/jobs_pb';
import { shown, TaskmasterError } from '../protocol/errors';

const READERS: { [K in LimitKey]: { parse(text: string): Limits[K]; expected: string } } = {
  memory_max: { parse: parseByteLimit, expected: BYTES_EXPECTED },
  memory_high: { parse: parseByteLimit, expected: BYTES_EXPECTED },
  cpu_max: { parse: parseCpuLimit, expected: CPU_EXPECTED },
  pids_max: { parse: parsePidsLimit, expected: PIDS_EXPECTED },
  io_weight: { parse: parseIoWeight, expected: IO_WEIGHT_EXPECTED },
};

type LimitText = keyof Omit<JobLimits, '$typeName' | '$unknown'>;

/**
 * The limits asked, as values. Throws EBADREQUEST naming the field for a
 * value that does not read, ENOLIMITS for one this host cannot apply.
 */
export function jobLimits(asked: JobLimits | undefined, refuse: LimitRefusal): Limits {
  const limits: Limits = { ...NO_LIMITS };
  if (asked === undefined) return limits;
  for (const key of LIMIT_KEYS) {
    const text = asked[limitFieldName(key) as LimitText];
    if (text === '') continue;
    const value = READERS[key].parse(text);
    if (value === null) throw new TaskmasterError('EBADREQUEST', `limits.${key}: expected ${READERS[key].expected}, got ${shown(text)}`);
    const why = refuse(key);
    if (why !== null) throw new TaskmasterError('ENOLIMITS', `limits.${key} cannot be applied on this host: ${why}`);
    (limits as Record<LimitKey, unknown>)[key] = value;
  }
  return limits;
}
