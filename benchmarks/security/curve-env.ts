import type { ClientSecurityOptions, ServerSecurityOptions } from '@courier/transport';

/**
 * bench:security runs the transport benchmark twice, the second time with
 * CURVE keys in this variable (JSON); the echo processes read them here, so
 * courier and the raw zeromq.js baseline switch CURVE on together.
 */
export const CURVE_ENV = 'COURIER_BENCH_CURVE';

interface CurveKeys {
  server: { publicKey: string; secretKey: string };
  client: { publicKey: string; secretKey: string };
}

function keys(): CurveKeys | undefined {
  const text = process.env[CURVE_ENV];
  return text === undefined || text === '' ? undefined : (JSON.parse(text) as CurveKeys);
}

/** Courier's server security for the benchmark, or undefined (plaintext). */
export function benchServerSecurity(): ServerSecurityOptions | undefined {
  const k = keys();
  return k === undefined ? undefined : { secretKey: k.server.secretKey, allow: [k.client.publicKey] };
}

export function benchClientSecurity(): ClientSecurityOptions | undefined {
  const k = keys();
  return k === undefined ? undefined : { serverKey: k.server.publicKey, secretKey: k.client.secretKey };
}

/** The same keys as zeromq.js socket options, for the raw baseline (CURVE, no ZAP). */
export function rawCurveServerOptions(): { curveServer?: boolean; curveSecretKey?: string } {
  const k = keys();
  return k === undefined ? {} : { curveServer: true, curveSecretKey: k.server.secretKey };
}

export function rawCurveClientOptions(): {
  curveServerKey?: string;
  curvePublicKey?: string;
  curveSecretKey?: string;
} {
  const k = keys();
  return k === undefined
    ? {}
    : {
        curveServerKey: k.server.publicKey,
        curvePublicKey: k.client.publicKey,
        curveSecretKey: k.client.secretKey,
      };
}
