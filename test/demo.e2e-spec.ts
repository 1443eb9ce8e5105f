import { runDemo } from '../scripts/demo';
import { useTestStack } from './support/stack';

const stack = useTestStack();

it('npm run demo plays the whole mini-program flow against the service (smoke test)', async () => {
  const lines: string[] = [];
  await runDemo({
    serviceUrl: stack.service.url,
    emulatorUrl: stack.emulator.url,
    print: (line) => lines.push(line),
  });
  const output = lines.join('\n');
  expect(output).toContain('小明😀');
  expect(output).toContain('"phoneNumber": "13800138000"');
  expect(output).toContain('SESSION_REVOKED');
  expect(output).toContain('Demo finished');
  const users = await stack.db.query<{ nickname: string; phone: string }>(
    'SELECT nickname, phone FROM wx_user',
  );
  expect(users).toEqual([{ nickname: '小明😀', phone: '13800138000' }]);
});
