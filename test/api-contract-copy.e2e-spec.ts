import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..');
/** Where new requirements arrive, beside the repository; a user's clone has no such folder. */
const SHARED_CONTRACT = join(REPO, '..', 'shared', 'API.md');

describe('docs/api.md', () => {
  const shared = existsSync(SHARED_CONTRACT);
  if (!shared) {
    it.skip(`is a byte copy of ../shared/API.md (skipped: ${SHARED_CONTRACT} does not exist)`, () => {});
    return;
  }

  it('is a byte copy of ../shared/API.md (copy it over when the shared contract changes)', () => {
    const inRepo = readFileSync(join(REPO, 'docs', 'api.md'));
    expect(inRepo.equals(readFileSync(SHARED_CONTRACT))).toBe(true);
  });
});
