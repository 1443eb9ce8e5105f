# syntax=docker/dockerfile:1
# Three targets (see docs/deployment.md):
#   runtime (default)  the service: compiled JavaScript and production dependencies only; also
#                      the migration job of docker-compose.yml (node dist/src/prisma/migrate.js)
#   migrate            optional: `prisma migrate deploy` with the Prisma CLI and its schema
#                      engine, downloaded at build time (needs Prisma's download server; compose
#                      does not use it, and `npm run test:deploy` cannot build it offline)
#   build              compiles the TypeScript; the other two take their files from it

FROM node:20-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

FROM base AS build
# No version check or usage ping from the Prisma CLI during the build and the migrate job.
ENV CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
# Dependencies' install scripts would only fetch Prisma's schema engine (the migrate target does
# that on purpose) and send install telemetry; our own postinstall (prisma generate) needs the
# schema, so it runs below once the sources are in place.
RUN npm ci --ignore-scripts
COPY . .
RUN node scripts/prisma-generate.js && npm run build

FROM build AS migrate
# Prisma's migrate needs its native schema engine, and that engine needs OpenSSL to be detected
# correctly (the slim image has none). Fetching the engine at build time lets the job run with a
# read-only node_modules; the `ls` fails the build when the download did not happen.
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssl \
    && rm -rf /var/lib/apt/lists/* \
    && node node_modules/@prisma/engines/scripts/postinstall.js \
    && ls node_modules/@prisma/engines/schema-engine-*
USER node
CMD ["npx", "prisma", "migrate", "deploy"]

FROM base AS runtime
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --omit=optional as well: @prisma/client names the Prisma CLI as an optional peer, so
# --omit=dev alone would keep the CLI and Studio (about 250 MB) in the image. No production
# dependency is optional, and the client needs no engine binary, so no install script is needed.
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The built-in migration runner (node dist/src/prisma/migrate.js) reads prisma/migrations.
COPY prisma ./prisma
# Files stay owned by root: the service cannot rewrite its own code.
USER node
EXPOSE 3000
# GET /health on this container's PORT (src/health/healthcheck.ts).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "dist/src/health/healthcheck.js"]
# The flags keep RSS under 200 MB at full load (npm run bench); they match `npm start`.
# --liftoff-only: V8 keeps Prisma's WebAssembly query compiler on its baseline tier; its
# optimising tier held ~60 MB more RSS and made queries no faster (measured).
# No --single-threaded-gc: with the collector's helper threads both hot paths answered more
# requests at a lower p99 (README, Performance).
# --no-experimental-fetch: axios probes fetch's globals when it loads, which loads Node's
# bundled undici (about 15-25 ms of every start); the service calls WeChat through axios.
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=128", "--liftoff-only", "--no-experimental-fetch", "dist/src/main.js"]
