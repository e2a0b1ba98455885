// The one place the version comes from: package.json, inlined by esbuild in
// the bundle and copied next to the compiled sources by tsc.
import pkg from '../package.json';

export const VERSION: string = pkg.version;
