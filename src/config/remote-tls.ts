// The remote API's certificates, read and checked when the config is loaded:
// a reload with a bad certificate is then refused like any bad config, and
// what the gateway is given is exactly what was checked. Messages name the
// file and what is wrong; no message ever holds key material (or any PEM).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Scope } from './issues';
import type { Field } from './nodes';

/** A private key in PEM. Its text is kept out of JSON (and so out of pino's log lines). */
export class SecretPem {
  constructor(readonly pem: string) {}

  toJSON(): string {
    return '(private key, not shown)';
  }
}

/** The contents of the files `cert`, `key`, `client_ca` and `crl` name. */
export interface TlsMaterial {
  cert: string;
  key: SecretPem;
  ca: string;
  crl: string | null;
}

/** Where each file was written, for the error that names it. */
export interface TlsFields {
  cert: Field;
  key: Field;
  client_ca: Field;
  crl: Field | undefined;
}

export interface TlsPaths {
  cert: string;
  key: string;
  client_ca: string;
  crl: string | null;
}

/** The material, or undefined after reporting every problem found. `now`: wall-clock ms (certificates are dated in it). */
export function loadTlsMaterial(s: Scope, at: TlsFields, paths: TlsPaths, now: number): TlsMaterial | undefined {
  const certPem = readPem(s, at.cert, paths.cert);
  const keyPem = readPem(s, at.key, paths.key);
  const caPem = readPem(s, at.client_ca, paths.client_ca);
  const crlPem = paths.crl === null || at.crl === undefined ? null : readPem(s, at.crl, paths.crl);
  const cert = certPem === undefined ? undefined : parseCert(s, at.cert, paths.cert, certPem, now);
  const key = keyPem === undefined ? undefined : parseKey(s, at.key, paths.key, keyPem);
  const matches = cert !== undefined && key !== undefined && cert.checkPrivateKey(key);
  if (cert !== undefined && key !== undefined && !matches) {
    s.error(at.key.at, at.key.name, `${paths.key}: this private key does not belong to the certificate ${paths.cert}`);
  }
  const caOk = caPem !== undefined && checkCa(s, at.client_ca, paths.client_ca, caPem);
  const crlOk = crlPem === null || (crlPem !== undefined && checkCrl(s, at.crl!, paths.crl!, crlPem, caPem));
  if (!matches || !caOk || !crlOk) return undefined;
  return { cert: certPem!, key: new SecretPem(keyPem!), ca: caPem!, crl: crlPem ?? null };
}

function readPem(s: Scope, f: Field, path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    s.error(f.at, f.name, `${path}: cannot read the file: ${why}`);
    return undefined;
  }
}

function parseCert(s: Scope, f: Field, path: string, pem: string, now: number): X509Certificate | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    s.error(f.at, f.name, `${path}: not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")`);
    return undefined;
  }
  if (Date.parse(cert.validTo) < now) s.error(f.at, f.name, `${path}: the certificate expired on ${cert.validTo}`);
  else if (Date.parse(cert.validFrom) > now) s.error(f.at, f.name, `${path}: the certificate is not valid before ${cert.validFrom}`);
  return cert;
}

function parseKey(s: Scope, f: Field, path: string, pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    // OpenSSL's reason only (e.g. "bad decrypt" for a key with a passphrase), never the text.
    const passphrase = /passphrase/i.test((err as Error).message) ? ' (a key protected by a passphrase is not supported)' : '';
    s.error(f.at, f.name, `${path}: not a PEM private key${passphrase}`);
    return undefined;
  }
}

function checkCa(s: Scope, f: Field, path: string, pem: string): boolean {
  try {
    const ca = new X509Certificate(pem);
    if (!ca.ca) {
      s.error(f.at, f.name, `${path}: ${ca.subject.replace(/\n/g, ', ')} is not a CA certificate (basicConstraints CA:TRUE)`);
      return false;
    }
    createSecureContext({ ca: pem });
    return true;
  } catch {
    s.error(f.at, f.name, `${path}: not a PEM CA certificate (expected "-----BEGIN CERTIFICATE-----")`);
    return false;
  }
}

function checkCrl(s: Scope, f: Field, path: string, pem: string, caPem: string | undefined): boolean {
  if (!pem.includes('-----BEGIN X509 CRL-----')) {
    s.error(f.at, f.name, `${path}: not a PEM certificate revocation list (expected "-----BEGIN X509 CRL-----")`);
    return false;
  }
  try {
    createSecureContext({ crl: pem, ...(caPem === undefined ? {} : { ca: caPem }) });
    return true;
  } catch (err) {
    s.error(f.at, f.name, `${path}: OpenSSL refuses this revocation list: ${reasonOf(err)}`);
    return false;
  }
}

/** OpenSSL's reason ("bad base64 decode"), without the error queue's addresses and file names. */
function reasonOf(err: unknown): string {
  const e = err as { reason?: unknown; message?: unknown };
  return typeof e.reason === 'string' ? e.reason : String(e.message ?? err);
}
