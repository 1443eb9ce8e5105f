import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { declaredInputs } from './undeclared-input.guard';

@Controller()
class SampleController {
  @Get('plain')
  plain(): void {}

  @Get('query')
  withQuery(@Query() _query: object): void {}

  @Post('body')
  withBody(@Body() _body: object): void {}
}

describe('declaredInputs', () => {
  const controller = SampleController;
  const { prototype } = SampleController;

  it('reads @Query and @Body from the handler', () => {
    expect(declaredInputs(controller, prototype.plain)).toEqual({ query: false, body: false });
    expect(declaredInputs(controller, prototype.withQuery)).toEqual({ query: true, body: false });
    expect(declaredInputs(controller, prototype.withBody)).toEqual({ query: false, body: true });
  });
});
