import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { HealthService } from './health.service';

/** What both probes answer while healthy. */
const HEALTHY = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
  example: { status: 'ok' },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: answers while the process runs. */
  @Get()
  @ApiOperation({
    summary: 'Liveness: 200 while the process runs',
    description: 'Does not touch the database: for a process supervisor’s liveness probe.',
  })
  @ApiOkResponse({ schema: HEALTHY })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: answers 200 only while the database answers. */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 while the database answers, else 503 DATABASE_UNAVAILABLE',
    description:
      'For a load balancer’s readiness probe: an instance without its database is taken out.',
  })
  @ApiOkResponse({ schema: HEALTHY })
  async ready(): Promise<{ status: 'ok' }> {
    await this.health.assertReady();
    return { status: 'ok' };
  }
}
