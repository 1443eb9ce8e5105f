/** The admin command's command line, parsed; see ADMIN_USAGE for the grammar. */
export type AdminRequest =
  | { command: 'help' }
  | { command: 'find'; query: string; json: boolean }
  | {
      command: ChangeCommand;
      accountId: bigint;
      reason: string | undefined;
      json: boolean;
    };

export type ChangeCommand = 'disable' | 'enable' | 'revoke-sessions' | 'delete';

/** A command line the admin command cannot run: exit status 2, with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const ADMIN_USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  find <accountId|openid|unionid|phone>   show the matching accounts: status, identities, sessions, audit
  disable <accountId> --reason <text>     refuse the account everywhere, its live sessions included
  enable <accountId>                      let a disabled account act again
  revoke-sessions <accountId>             sign the account out on every device
  delete <accountId>                      delete the account and everything it owns

Options:
  --reason <text>   why (required by disable, recorded in audit_log by every change)
  --json            print the result as JSON
  --help, -h        print this help

Works on the database in DATABASE_URL (the environment, else .env, like the service).
Every change writes one audit_log row; its actor is ADMIN_ACTOR, else the OS user.
Exit status: 0 done, 1 no such account or a database failure, 2 a usage error.`;

const CHANGE_COMMANDS: readonly string[] = ['disable', 'enable', 'revoke-sessions', 'delete'];
/** audit_log.reason is VARCHAR(255): refused rather than cut. */
const MAX_REASON_LENGTH = 255;
/** account.id is BIGINT UNSIGNED. */
const MAX_ACCOUNT_ID = 2n ** 64n - 1n;

/** Reads `argv` (without node and the script); throws UsageError for anything it cannot run. */
export function parseAdminArguments(argv: readonly string[]): AdminRequest {
  const { positionals, reason, json, help } = splitOptions(argv);
  if (help) return { command: 'help' };
  const [command, target, ...extra] = positionals;
  if (command === undefined) throw new UsageError('a command is required');
  if (command !== 'find' && !CHANGE_COMMANDS.includes(command)) {
    throw new UsageError(`unknown command "${command}"`);
  }
  if (target === undefined) {
    throw new UsageError(
      command === 'find'
        ? 'find needs an account id, openid, unionid or phone number'
        : `${command} needs an account id`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);

  if (command === 'find') {
    if (reason !== undefined) throw new UsageError('find takes no --reason');
    const query = target.trim();
    if (query === '') throw new UsageError('find needs a non-empty value to look for');
    return { command, query, json };
  }
  if (command === 'disable' && reason === undefined) {
    throw new UsageError('disable needs --reason <text> (it is kept in audit_log)');
  }
  return { command: command as ChangeCommand, accountId: parseAccountId(target), reason, json };
}

/** A positive integer that fits account.id; anything else is a usage error, not "no such account". */
export function parseAccountId(text: string): bigint {
  if (!/^[1-9]\d{0,19}$/.test(text) || BigInt(text) > MAX_ACCOUNT_ID) {
    throw new UsageError(`"${text}" is not an account id (a positive whole number)`);
  }
  return BigInt(text);
}

function splitOptions(argv: readonly string[]): {
  positionals: string[];
  reason: string | undefined;
  json: boolean;
  help: boolean;
} {
  const positionals: string[] = [];
  let reason: string | undefined;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--help' || argument === '-h') help = true;
    else if (argument === '--json') json = true;
    else if (argument === '--reason' || argument.startsWith('--reason=')) {
      if (reason !== undefined) throw new UsageError('--reason is given twice');
      const value = argument === '--reason' ? argv[++i] : argument.slice('--reason='.length);
      if (value === undefined || value.trim() === '') {
        throw new UsageError('--reason needs a non-empty text');
      }
      reason = value.trim();
      if (reason.length > MAX_REASON_LENGTH) {
        throw new UsageError(`--reason is longer than ${MAX_REASON_LENGTH} characters`);
      }
    } else if (argument === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    } else if (argument.startsWith('-')) throw new UsageError(`unknown option "${argument}"`);
    else positionals.push(argument);
  }
  return { positionals, reason, json, help };
}
