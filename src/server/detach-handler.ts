// The detach command. Not built yet: its part of issue 13 replaces this.
import { TaskmasterError } from '../protocol/errors';
import type { HandlerOf } from './handler-types';

export const DETACH_HANDLER: HandlerOf<'detach'> = () => {
  throw new TaskmasterError('EUNKNOWNCMD', 'detach is not available in this build');
};
