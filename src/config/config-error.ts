/**
 * Settings that are missing or malformed, one line each. service.ts prints every line, so a
 * production start names all of its problems at once instead of one per attempt.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === 'string' ? [problems] : problems;
    super(lines.join('\n'));
    this.problems = lines;
  }
}
