import { JwtService } from '@nestjs/jwt';
import { AccessTokenService } from '../../src/auth/access-token.service';
import { AccessTokenVerifier } from '../../src/auth/access-token-verifier';
import { jwtModuleOptions } from '../../src/auth/jwt-options';
import { loadAppConfig } from '../../src/config/app-config';
import { median } from './markdown-table';

/** CPU µs of one call, in this process: sign and verify of one access token. */
export interface TokenCost {
  signUs: number;
  verifyUs: number;
}

const BATCHES = 7;
const BATCH_CPU_US = 100_000;

/** CPU µs (user + system) of this process spent in `fn`. */
function cpuUs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/**
 * Median over batches of CPU µs per call. CPU time rather than wall time: on a shared machine
 * a batch that loses the core to another process is not slower by our own work.
 */
function microsPerCall(call: () => unknown): number {
  const repeat = (n: number) => () => {
    for (let i = 0; i < n; i++) call();
  };
  // Warms the JIT and sizes the batches from what a warm call costs.
  let calls = 100;
  while (cpuUs(repeat(calls)) < BATCH_CPU_US / 10) calls *= 2;
  calls *= 10;
  return median(Array.from({ length: BATCHES }, () => cpuUs(repeat(calls)) / calls));
}

/**
 * What one access token costs under the signing settings (JWT_ALGORITHM and its key) with the
 * service's own classes, set up as AuthModule sets them up: AccessTokenService.sign at login,
 * AccessTokenVerifier.verify (signature and claims) on every bearer request.
 */
export function tokenCost(signing: Record<string, string>): TokenCost {
  const config = loadAppConfig({ NODE_ENV: 'test', ...signing });
  const signer = new AccessTokenService(new JwtService(jwtModuleOptions(config)), config);
  const verifier = new AccessTokenVerifier(config);
  const sessionId = '3f1c2b9e-8a47-4d8e-9b1a-6f0e5c4d3b2a';
  const token = signer.sign(1234567n, sessionId);
  return {
    signUs: microsPerCall(() => signer.sign(1234567n, sessionId)),
    verifyUs: microsPerCall(() => verifier.verify(token)),
  };
}
