// The bundle's entry: the single executable (and `node dist/taskmaster.js`) start here.
import { main } from './main';

void main();
