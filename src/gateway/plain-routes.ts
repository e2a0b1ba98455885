// The gateway's plain routes (plain-route.ts), in the order they are tried.
import { logDownloadRoute } from './log-download';
import { metricsRoute } from './metrics-route';
import type { PlainRoute } from './plain-route';
import { WEB_FILES } from './web-files';

/** Tried in order. */
export const PLAIN_ROUTES: readonly PlainRoute[] = [
  WEB_FILES,
  metricsRoute(),
  logDownloadRoute,
];
