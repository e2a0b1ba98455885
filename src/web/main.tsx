// The web view's entry: served by the gateway (src/gateway/web-files.ts),
// bundled by packaging/web-build.mjs.
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
