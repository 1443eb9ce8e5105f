import {
  ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  MethodNotAllowedException,
  UnauthorizedException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { errorCodes } from 'fastify';
import { AllExceptionsFilter, classifyError } from './all-exceptions.filter';
import { ApiException } from './api.exception';

const SECRET_DETAIL = 'SELECT session_key_cipher FROM wx_user -- at db.internal:3306';

describe('classifyError', () => {
  it('keeps the code, message and headers of an ApiException', () => {
    const error = new ApiException('RATE_LIMITED', 'Too many login attempts', {
      'retry-after': '12',
    });
    expect(classifyError(error)).toEqual({
      code: 'RATE_LIMITED',
      message: 'Too many login attempts',
      headers: { 'retry-after': '12' },
    });
  });

  describe("Fastify's body errors, by code", () => {
    it.each([
      ['FST_ERR_CTP_BODY_TOO_LARGE', 'PAYLOAD_TOO_LARGE', /larger than the server accepts/],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'VALIDATION_FAILED', /must be application\/json/],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 'VALIDATION_FAILED', /not valid JSON/],
      ['FST_ERR_CTP_INVALID_JSON_BODY', 'VALIDATION_FAILED', /not valid JSON/],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'VALIDATION_FAILED', /.+/],
    ] as const)('%s → %s', (fastifyCode, code, message) => {
      const error = new errorCodes[fastifyCode]();
      expect(error.code).toBe(fastifyCode);
      const classified = classifyError(error);
      expect(classified.code).toBe(code);
      expect(classified.message).toMatch(message);
      expect(classified.headers).toEqual({});
    });
  });

  it('treats a JSON SyntaxError as VALIDATION_FAILED', () => {
    let syntaxError: unknown;
    try {
      JSON.parse('{"code": ');
    } catch (error) {
      syntaxError = error;
    }
    expect(classifyError(syntaxError)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Request body is not valid JSON',
    });
  });

  it('answers an unknown route (HttpException 404) with NOT_FOUND', () => {
    expect(classifyError(new NotFoundException('Cannot GET /nope'))).toEqual({
      code: 'NOT_FOUND',
      message: 'No such route',
      headers: {},
    });
  });

  it('answers HttpException 413 with PAYLOAD_TOO_LARGE', () => {
    expect(classifyError(new PayloadTooLargeException()).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a plain 400 HttpException with VALIDATION_FAILED and its message', () => {
    expect(classifyError(new BadRequestException('limit must be a number'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'limit must be a number',
    });
  });

  it('answers an error that only says statusCode 413 with PAYLOAD_TOO_LARGE', () => {
    const error = Object.assign(new Error('request entity too large'), { statusCode: 413 });
    expect(classifyError(error).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unreachable database with DATABASE_UNAVAILABLE and no details', () => {
    const error = Object.assign(new Error(`connect ECONNREFUSED ${SECRET_DETAIL}`), {
      code: 'ECONNREFUSED',
    });
    const classified = classifyError(error);
    expect(classified.code).toBe('DATABASE_UNAVAILABLE');
    expect(classified.message).not.toContain('db.internal');
  });

  describe('anything else is INTERNAL with a generic message', () => {
    it.each<[string, unknown]>([
      ['an Error', new Error(SECRET_DETAIL)],
      ['a TypeError', new TypeError(`Cannot read properties of undefined: ${SECRET_DETAIL}`)],
      ['an HttpException 500', new HttpException(SECRET_DETAIL, 500)],
      ['a thrown string', SECRET_DETAIL],
      ['null', null],
      ['undefined', undefined],
      ['an object', { message: SECRET_DETAIL }],
    ])('%s', (_name, error) => {
      const classified = classifyError(error);
      expect(classified).toEqual({
        code: 'INTERNAL',
        message: 'Internal server error',
        headers: {},
      });
      expect(JSON.stringify(classified)).not.toContain('session_key');
    });
  });
});

describe('AllExceptionsFilter', () => {
  function respond(exception: unknown) {
    const sent: {
      status?: number;
      headers?: Record<string, string>;
      type?: string;
      body?: unknown;
    } = {};
    const reply = {
      status(code: number) {
        sent.status = code;
        return reply;
      },
      headers(headers: Record<string, string>) {
        sent.headers = headers;
        return reply;
      },
      type(type: string) {
        sent.type = type;
        return reply;
      },
      send(body: unknown) {
        sent.body = body;
        return reply;
      },
    };
    const host = {
      switchToHttp: () => ({ getRequest: () => ({ id: 'req-123' }), getResponse: () => reply }),
    } as unknown as ArgumentsHost;
    new AllExceptionsFilter().catch(exception, host);
    return sent;
  }

  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logged.mockRestore();
  });

  it("renders the contract's error shape with the code's status and the request id", () => {
    const sent = respond(new ApiException('RATE_LIMITED', 'slow down', { 'retry-after': '3' }));

    expect(sent).toEqual({
      status: 429,
      headers: { 'retry-after': '3' },
      type: 'application/json; charset=utf-8',
      body: { statusCode: 429, code: 'RATE_LIMITED', message: 'slow down', requestId: 'req-123' },
    });
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs a 5xx with the original error but answers without its details', () => {
    const error = new Error(SECRET_DETAIL);

    const sent = respond(error);

    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'Internal server error',
      requestId: 'req-123',
    });
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ err: error, code: 'INTERNAL', requestId: 'req-123' }),
      'request failed: INTERNAL',
    );
  });
});

describe('classifyError for Nest HttpExceptions by status', () => {
  it.each([
    [new UnauthorizedException(), 'UNAUTHORIZED'],
    [new ForbiddenException(), 'UNAUTHORIZED'],
    [new MethodNotAllowedException(), 'NOT_FOUND'],
    [new HttpException('slow down', 429), 'RATE_LIMITED'],
    [new BadRequestException('bad'), 'VALIDATION_FAILED'],
  ])('%s → %s', (error, code) => {
    expect(classifyError(error).code).toBe(code);
  });
});
