import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import { SqlClient } from '../prisma/sql-client';
import { deleteAccount } from './account-deletion';

/**
 * The person deletes their own account (PIPL's right to erasure): every row about them goes in
 * one transaction with its audit row (actor `self`). Their sessions go with the rows, so every
 * instance refuses their tokens at the next request.
 */
@Injectable()
export class AccountClosureService {
  constructor(private readonly sql: SqlClient) {}

  async close(caller: AuthenticatedUser): Promise<void> {
    const deleted = await deleteAccount(this.sql, caller.accountId, { actor: 'self' });
    // Deleted a moment ago by another request of the same person (or an admin).
    if (!deleted) {
      throw new ApiException('SESSION_REVOKED', 'The account no longer exists; log in again');
    }
  }
}
