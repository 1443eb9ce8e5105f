import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS } from './error-code';

/** The `| \`CODE\` | status | when |` rows of docs/api.md's "Errors" table. */
function contractErrorTable(): Record<string, number> {
  const contract = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');
  const rows = [...contract.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)];
  return Object.fromEntries(rows.map(([, code, status]) => [code, Number(status)]));
}

describe('ERROR_STATUS', () => {
  it("holds exactly the codes and statuses of docs/api.md's Errors table", () => {
    const table = contractErrorTable();
    expect(Object.keys(table).length).toBeGreaterThanOrEqual(24);
    expect(ERROR_STATUS).toEqual(table);
  });
});
