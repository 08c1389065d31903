import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JSON Web Tokens, enough to behave like ThingsBoard's: the client sees a real JWT with
 * `exp`, and the emulator can tell an expired token (401, errorCode 11) from a forged one (10).
 */
export interface JwtClaims {
  sub: string;
  scopes: string[];
  iat: number;
  exp: number;
  /** Unique per token, so two tokens issued in the same second still differ. */
  jti: string;
  [claim: string]: unknown;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signJwt(claims: JwtClaims, secret: Buffer): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${base64url(signature)}`;
}

export type JwtCheck =
  { ok: true; claims: JwtClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

/** `nowMs` is compared with `exp` in milliseconds: the emulator's tokens may live under a second. */
export function verifyJwt(token: string, secret: Buffer, nowMs: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [head, body, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature' };
  let claims: JwtClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JwtClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  // exp is in seconds in real JWTs; the emulator adds expMs for sub-second lifetimes.
  const expMs = typeof claims.expMs === 'number' ? claims.expMs : claims.exp * 1000;
  if (nowMs >= expMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
