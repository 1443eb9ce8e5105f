import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { IntrospectDto, IntrospectionResult } from './dto/introspect.dto';
import { IntrospectionCallerGuard } from './introspection-caller.guard';
import { IntrospectionService } from './introspection.service';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { Public } from './public.decorator';

export const INTROSPECTION_ROUTE = '/auth/introspect';

/**
 * RFC 7662 introspection. Public to the access-token guard: its caller is another service,
 * holding INTROSPECTION_TOKEN. Without that setting the route does not exist
 * (introspection-http.ts). Attempts count with the login attempts of the client IP, so a
 * guessed introspection token is throttled like a guessed login.
 */
@ApiTags('auth')
@Public()
@Controller('auth')
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  // Counted first, so attempts with a wrong introspection token are throttled too.
  @UseGuards(LoginThrottlerGuard, IntrospectionCallerGuard)
  @Post('introspect')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'RFC 7662: is this access token live? (Authorization: Bearer <INTROSPECTION_TOKEN>)',
    description:
      'Body `token=…` as application/x-www-form-urlencoded (RFC 7662) or JSON `{ "token": "…" }`. ' +
      'Only when INTROSPECTION_TOKEN is set; otherwise NOT_FOUND.',
  })
  @ApiOkResponse({ type: IntrospectionResult })
  @ApiErrors('UNAUTHORIZED', 'RATE_LIMITED', 'NOT_FOUND')
  introspect(@Body() body: IntrospectDto): Promise<IntrospectionResult> {
    return this.introspection.introspect(body.token);
  }
}
