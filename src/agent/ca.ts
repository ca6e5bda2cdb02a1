// The hub's certificate authority: it signs the hub's own TLS certificate and one client certificate
// per enrolled agent. node:crypto makes the keys and checks certificates (X509Certificate) but cannot
// sign one, so issuing goes through @peculiar/x509 over WebCrypto. ECDSA P-256: small and fast.
// The CA key never leaves the hub's data directory (mode 0600); an agent's key never leaves the agent.
import 'reflect-metadata'; // tsyringe, used inside @peculiar/x509, needs it loaded first
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

/** A fresh ECDSA P-256 key pair as PEM (PKCS#8 private, SPKI public). */
export async function generateKeyPair(): Promise<KeyPairPem> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  return {
    privateKey: toPem('PRIVATE KEY', Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))),
    publicKey: toPem('PUBLIC KEY', Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey))),
  };
}

/** SHA-256 of a certificate's DER, lower-case hex: what an enrolment token pins and the hub stores. */
export function fingerprint(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

export class CertificateAuthority {
  private constructor(
    readonly certPem: string,
    private readonly key: CryptoKey,
    private readonly subject: string,
  ) {}

  get fingerprint(): string {
    return fingerprint(this.certPem);
  }

  /** Loads `dir/ca.pem` + `dir/ca.key`, creating them (10 years) on first use. */
  static async open(dir: string): Promise<CertificateAuthority> {
    const certFile = path.join(dir, 'ca.pem');
    const keyFile = path.join(dir, 'ca.key');
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
      const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(),
        name: `CN=Syncline agent CA ${randomBytes(3).toString('hex')}`,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 3650 * DAY),
        keys,
        signingAlgorithm: ALG,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
      });
      writeFileSync(keyFile, toPem('PRIVATE KEY', Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))), { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      writeFileSync(certFile, `${cert.toString('pem').trim()}\n`);
    }
    const certPem = readFileSync(certFile, 'utf8');
    const key = await webcrypto.subtle.importKey('pkcs8', fromPem(readFileSync(keyFile, 'utf8')), ALG, false, ['sign']);
    return new CertificateAuthority(certPem, key, new x509.X509Certificate(certPem).subject);
  }

  /** The hub's TLS server certificate for the names agents dial (DNS names and IP addresses). */
  async issueServer(names: string[], days = 397): Promise<{ certPem: string; keyPem: string }> {
    const pair = await generateKeyPair();
    const certPem = await this.issue({
      cn: names[0] ?? 'localhost',
      publicKeyPem: pair.publicKey,
      days,
      usage: x509.ExtendedKeyUsage.serverAuth,
      san: names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
    });
    return { certPem, keyPem: pair.privateKey };
  }

  /** An agent's client certificate: CN = agent id, over the public key the agent sent. */
  async issueAgent(agentId: string, publicKeyPem: string, days = 365): Promise<{ certPem: string; serial: string; expiresAt: number }> {
    const s = serial();
    const certPem = await this.issue({ cn: agentId, publicKeyPem, days, usage: x509.ExtendedKeyUsage.clientAuth, serialNumber: s });
    return { certPem, serial: s, expiresAt: Date.now() + days * DAY };
  }

  private async issue(o: { cn: string; publicKeyPem: string; days: number; usage: string; san?: x509.JsonGeneralName[]; serialNumber?: string }): Promise<string> {
    const publicKey = await webcrypto.subtle.importKey('spki', fromPem(o.publicKeyPem), ALG, true, ['verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: o.serialNumber ?? serial(),
      subject: `CN=${o.cn}`,
      issuer: this.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + o.days * DAY),
      publicKey,
      signingKey: this.key,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([o.usage]),
        ...(o.san?.length ? [new x509.SubjectAlternativeNameExtension(o.san)] : []),
      ],
    });
    return `${cert.toString('pem').trim()}\n`;
  }
}

/** A positive 16-byte serial (RFC 5280 asks for ≤ 20 bytes, positive). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function toPem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): ArrayBuffer {
  const b = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
