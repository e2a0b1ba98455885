// The metrics command. Not built yet: its part of issue 13 replaces this.
import { TaskmasterError } from '../protocol/errors';
import type { HandlerOf } from './handler-types';

export const METRICS_HANDLER: HandlerOf<'metrics'> = () => {
  throw new TaskmasterError('EUNKNOWNCMD', 'metrics is not available in this build');
};
