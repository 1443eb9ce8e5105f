import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/** Checked by the service, not here: an id that is not a session's is NOT_FOUND, whatever its form. */
export class SessionIdParamDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b' })
  @IsString()
  id: string;
}
