import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { isDatabaseUnavailable } from '../prisma/database-errors';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class HealthService {
  constructor(private readonly prisma: PrismaService) {}

  /** Ready when the database answers; the pool's acquire timeout bounds the wait. */
  async assertReady(): Promise<void> {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      throw new ApiException('DATABASE_UNAVAILABLE', 'The database did not answer');
    }
  }
}
