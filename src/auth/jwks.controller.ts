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
  })
  @ApiOkResponse({
    schema: {
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
