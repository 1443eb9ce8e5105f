import { oncePerIdentity, untilSucceededPerIdentity } from './once-per-identity';

const deferred = () => {
  let resolve!: (value: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('oncePerIdentity', () => {
  it('starts the write once per identity, whatever became of it', async () => {
    const once = oncePerIdentity<string>();
    const write = jest.fn(() => Promise.reject(new Error('lost')));
    await expect(once(1n, write)).rejects.toThrow('lost');
    await expect(once(1n, write)).rejects.toThrow('lost');
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('starts it again for another identity', async () => {
    const once = oncePerIdentity<string>();
    await once(1n, () => Promise.resolve('a'));
    expect(await once(2n, () => Promise.resolve('b'))).toBe('b');
  });
});

describe('untilSucceededPerIdentity', () => {
  it('does not repeat a write that succeeded', async () => {
    const write = jest.fn(() => Promise.resolve('done'));
    const until = untilSucceededPerIdentity<string>();
    await until(7n, write);
    expect(await until(7n, write)).toBe('done');
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('reuses a write still under way', async () => {
    const pending = deferred();
    const write = jest.fn(() => pending.promise);
    const until = untilSucceededPerIdentity<string>();
    const first = until(7n, write);
    const second = until(7n, write);
    pending.resolve('done');
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('repeats a write that failed, as soon as the caller sees the failure', async () => {
    const until = untilSucceededPerIdentity<string>();
    const write = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('deadlock'))
      .mockResolvedValueOnce('done');
    // Two writes at once, as a login round sends them: the other one succeeds.
    const other = untilSucceededPerIdentity<string>();
    const otherWrite = jest.fn(() => Promise.resolve('logged'));
    await expect(Promise.all([until(7n, write), other(7n, otherWrite)])).rejects.toThrow(
      'deadlock',
    );
    expect(await Promise.all([until(7n, write), other(7n, otherWrite)])).toEqual([
      'done',
      'logged',
    ]);
    expect(write).toHaveBeenCalledTimes(2);
    expect(otherWrite).toHaveBeenCalledTimes(1);
  });

  it('never leaves a failure unhandled', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    // The caller awaits it only later (a login round): nothing is attached here on purpose.
    void untilSucceededPerIdentity<string>()(1n, () => Promise.reject(new Error('ignored')));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });
});
