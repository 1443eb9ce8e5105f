import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger';
import type { LogFn } from 'pino';

type LogArguments = Parameters<LogFn>;

/**
 * The request's logger (`request.log`, bound to its id), made on first use. Fastify builds one
 * for every request, and pino serialises a child's bindings through the whole redaction at once:
 * 3 KB of garbage per request (a sampling heap profile of `GET /users/me`) for a logger that
 * only Fastify's rare error paths use; the service writes its request line and its errors
 * through loggers of its own (app.factory.ts, AllExceptionsFilter).
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.real.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }

  fatal(...args: LogArguments): void {
    this.real.fatal(...args);
  }

  error(...args: LogArguments): void {
    this.real.error(...args);
  }

  warn(...args: LogArguments): void {
    this.real.warn(...args);
  }

  info(...args: LogArguments): void {
    this.real.info(...args);
  }

  debug(...args: LogArguments): void {
    this.real.debug(...args);
  }

  trace(...args: LogArguments): void {
    this.real.trace(...args);
  }

  silent(): void {}
}

/** Fastify's `childLoggerFactory`. */
export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options);
}
