import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import type { PublicJwk } from '../config/jwt-keys';
import { Public } from './public.decorator';

/** How long other services may keep the key set; they refetch early on an unknown `kid`. */
const JWKS_MAX_AGE_SECONDS = 300;

/** The public keys other services verify access tokens with (RFC 7517); empty under HS256. */
@ApiTags('auth')
@Public()
@Controller('.well-known')
export class JwksController {
  private readonly jwks: { keys: PublicJwk[] };

  constructor(config: AppConfig) {
    this.jwks = { keys: config.jwt.verificationKeys.map((key) => key.jwk) };
  }

  @Get('jwks.json')
  @Header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @ApiOperation({
    summary: 'Public keys of ES256/EdDSA access tokens: the signing key and retired ones',
    description:
      'A JWK Set: tokens carry the RFC 7638 thumbprint of their key as `kid`. Empty under ' +
      'HS256, whose secret is never published.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kty', 'crv', 'x', 'kid', 'alg', 'use'],
            properties: {
              kty: { type: 'string', enum: ['EC', 'OKP'] },
              crv: { type: 'string', enum: ['P-256', 'Ed25519'] },
              x: { type: 'string' },
              y: { type: 'string', description: 'EC keys only' },
              kid: { type: 'string', description: 'RFC 7638 thumbprint' },
              alg: { type: 'string', enum: ['ES256', 'EdDSA'] },
              use: { type: 'string', enum: ['sig'] },
            },
          },
        },
      },
      example: {
        keys: [
          {
            kty: 'OKP',
            crv: 'Ed25519',
            x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
            kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
            alg: 'EdDSA',
            use: 'sig',
          },
        ],
      },
    },
  })
  keys(): { keys: PublicJwk[] } {
    return this.jwks;
  }
}
