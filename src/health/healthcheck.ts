/*
 * The container's health check (Dockerfile HEALTHCHECK, docker-compose.yml `app`): exits 0 when
 * GET /health answers 2xx on this container's port, 1 otherwise. A file rather than an inline
 * `node -e '…'`: podman 4.3 splits a compose CMD health check's arguments at spaces, so the
 * inline script became a syntax error and the app never turned healthy (docs/deployment.md).
 */
export {};

const port = process.env.PORT || '3000';
void fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
