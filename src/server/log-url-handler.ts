// The logUrl command. Not built yet: its part of issue 13 replaces this.
import { TaskmasterError } from '../protocol/errors';
import type { HandlerOf } from './handler-types';

export const LOG_URL_HANDLER: HandlerOf<'logUrl'> = () => {
  throw new TaskmasterError('EUNKNOWNCMD', 'logUrl is not available in this build');
};
