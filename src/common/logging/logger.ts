import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';

/** Only these fields of an error are logged: an upstream error may carry request configs with secrets. */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, errcode, kind } = error as { code?: unknown; errcode?: unknown; kind?: unknown };
  return { type: error.name, message: error.message, code, errcode, kind, stack: error.stack };
}

/** One JSON line per event, at LOG_LEVEL; secrets are redacted wherever they might appear. */
export function createLogger(
  config: Pick<AppConfig, 'logLevel'>,
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: [
          'req.headers.authorization',
          '*.authorization',
          '*.sessionKey',
          '*.session_key',
          '*.refreshToken',
          '*.secret',
          '*.appSecret',
          '*.access_token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Nest's own log lines, in the same JSON format as everything else. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...context: unknown[]): void {
    this.write('info', message, context);
  }
  error(message: unknown, ...context: unknown[]): void {
    this.write('error', message, context);
  }
  warn(message: unknown, ...context: unknown[]): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, ...context: unknown[]): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, ...context: unknown[]): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, ...context: unknown[]): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // Nest passes the context name last; an object message carries structured fields.
    const name =
      typeof context[context.length - 1] === 'string' ? (context.pop() as string) : undefined;
    if (message && typeof message === 'object' && !(message instanceof Error)) {
      const { msg, ...fields } = message as Record<string, unknown>;
      const text =
        typeof context[0] === 'string' ? context[0] : typeof msg === 'string' ? msg : undefined;
      this.logger[level]({ context: name, ...fields }, text);
    } else if (message instanceof Error) {
      this.logger[level]({ context: name, err: message }, message.message);
    } else {
      this.logger[level](
        { context: name, ...(context.length && { detail: context }) },
        String(message),
      );
    }
  }
}
