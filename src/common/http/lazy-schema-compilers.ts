import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

/** Fastify's dependencies, resolved from Fastify's own location as Fastify requires them. */
const requireFromFastify = createRequire(require.resolve('fastify'));

/**
 * Fastify's default schema compilers (Ajv and fast-json-stringify), required on first use
 * instead of when Fastify is created. No route of this service declares a Fastify schema
 * (input is validated by Nest's pipe), so they are never loaded: loading them cost about 25 ms
 * of every cold start. A route that does declare one gets the same compilers as by default.
 */
export function lazySchemaCompilers(): FastifyServerOptions['schemaController'] {
  return {
    compilersFactory: {
      buildValidator: onFirstUse(() =>
        (requireFromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)(),
      ),
      buildSerializer: onFirstUse(() =>
        (requireFromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)(),
      ),
    },
  };
}

/** A function that stands for the one `load` returns, calling `load` once, on its first call. */
function onFirstUse<F extends (...args: never[]) => unknown>(load: () => F): F {
  let loaded: F | undefined;
  return ((...args: Parameters<F>) => (loaded ??= load())(...args)) as F;
}
