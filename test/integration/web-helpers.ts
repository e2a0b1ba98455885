// Debian's Chromium, driven by playwright-core, for the web view's tests.
// Missing Chromium is a failure that says how to get it, never a skip.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import type { KeyPair } from '../fixtures/certs';
import { ROOT } from './harness';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'build/artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the web view's tests need Debian's chromium (sudo make test-deps installs it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser context for the gateway at `port`: it trusts the server
 * certificate (made by the test's CA, which Chromium does not know) and, when
 * `who` is given, presents that client certificate at the handshake.
 */
export function gatewayContext(browser: Browser, port: number, who: KeyPair | null, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  return browser.newContext({
    ignoreHTTPSErrors: true,
    viewport,
    ...(who === null ? {} : { clientCertificates: [{ origin: `https://127.0.0.1:${port}`, certPath: who.cert, keyPath: who.key }] }),
  });
}
