import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM-SHA-256 (RFC 5802/7677, as PostgreSQL speaks it) on the server side of the embedded
 * database's wire port: the password never crosses the socket, and `pg` speaks it unasked.
 * PGlite has no authentication of its own (any user, any password is its superuser).
 */
const MECHANISM = 'SCRAM-SHA-256';
const ITERATIONS = 4096;
const SASL = 10;
const SASL_CONTINUE = 11;
const SASL_FINAL = 12;

/** The server's half of one password, derived once per start (the salt is per start too). */
export class ScramSecret {
  readonly salt = randomBytes(16);
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;

  constructor(password: string) {
    const salted = pbkdf2Sync(password, this.salt, ITERATIONS, 32, 'sha256');
    this.storedKey = sha256(hmac(salted, 'Client Key'));
    this.serverKey = hmac(salted, 'Server Key');
  }
}

/** A fresh random password: what the process's own connections use, gone when it exits. */
export function randomPassword(): string {
  return randomBytes(24).toString('hex');
}

/** One connection's exchange: `request()`, then `first()` and `final()` with the client's 'p' messages. */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(private readonly secret: ScramSecret) {}

  /** AuthenticationSASL: the mechanisms offered. */
  request(): Buffer {
    return authentication(SASL, Buffer.from(`${MECHANISM}\0\0`));
  }

  /** SASLInitialResponse in, AuthenticationSASLContinue out; null when the message is not one. */
  first(message: Buffer): Buffer | null {
    const nameEnd = message.indexOf(0, 5);
    if (nameEnd < 0 || message.toString('utf8', 5, nameEnd) !== MECHANISM) return null;
    const length = message.readInt32BE(nameEnd + 1);
    const data = message.toString('utf8', nameEnd + 5, nameEnd + 5 + Math.max(length, 0));
    // No channel binding over a plain loopback socket: the GS2 header is "n,,".
    if (!data.startsWith('n,,')) return null;
    this.clientFirstBare = data.slice(3);
    const clientNonce = /(?:^|,)r=([^,]+)/.exec(this.clientFirstBare)?.[1];
    if (!clientNonce) return null;
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${ITERATIONS}`;
    return authentication(SASL_CONTINUE, Buffer.from(this.serverFirst));
  }

  /** SASLResponse in, AuthenticationSASLFinal out; null when the proof is wrong. */
  final(message: Buffer): Buffer | null {
    const clientFinal = message.toString('utf8', 5);
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) return null;
    const withoutProof = clientFinal.slice(0, proofAt);
    const attributes = new Map(withoutProof.split(',').map((a) => [a[0], a.slice(2)]));
    if (attributes.get('c') !== 'biws' || attributes.get('r') !== this.nonce) return null;
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.secret.storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
    if (!timingSafeEqual(sha256(clientKey), this.secret.storedKey)) return null;
    const verifier = hmac(this.secret.serverKey, authMessage).toString('base64');
    return authentication(SASL_FINAL, Buffer.from(`v=${verifier}`));
  }
}

/** A FATAL ErrorResponse, as a server sends before it closes a connection it refuses. */
export function fatalError(code: string, text: string): Buffer {
  const fields = Buffer.concat([
    field('S', 'FATAL'),
    field('V', 'FATAL'),
    field('C', code),
    field('M', text),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

function field(type: string, value: string): Buffer {
  return Buffer.from(`${type}${value}\0`);
}

function authentication(code: number, data: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.write('R', 0);
  header.writeInt32BE(8 + data.length, 1);
  header.writeInt32BE(code, 5);
  return Buffer.concat([header, data]);
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
