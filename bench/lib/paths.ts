// Where things are. The bench is compiled to build/bench/, its sources and C
// files stay in bench/.
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const BENCH_SRC = join(ROOT, 'bench');
export const DIST = join(ROOT, 'dist');
export const PM2_DIR = join(BENCH_SRC, '.cache/pm2/node_modules/pm2');
