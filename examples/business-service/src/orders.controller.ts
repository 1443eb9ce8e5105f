import { Controller, Get, Req, SetMetadata } from '@nestjs/common';
import { Caller, IS_PUBLIC } from './access-token.guard';

interface Order {
  id: string;
  item: string;
  cents: number;
}

/** The business module: the caller's orders. A real service would read them from its own database. */
@Controller()
export class OrdersController {
  @Get('orders')
  orders(@Req() request: { caller: Caller }): { accountId: string; orders: Order[] } {
    const { accountId } = request.caller;
    return {
      accountId,
      orders: [{ id: `${accountId}-1`, item: 'Oolong tea, 250 g', cents: 6800 }],
    };
  }

  @SetMetadata(IS_PUBLIC, true)
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
