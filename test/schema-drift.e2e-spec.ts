import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { createTestDatabase, TestDatabase } from './support/database';

/*
 * `prisma migrate diff` needs Prisma's schema-engine binary, which cannot be installed on
 * machines without internet, so this test does its job: it applies prisma/migrations to a fresh
 * database, reads the result from information_schema, and compares it with what schema.prisma
 * asks for, as parsed by Prisma's own parser (the wasm build the prisma CLI ships) and mapped
 * to MySQL the way Prisma's MySQL migrations map it.
 *
 * Both sides become "facts": a key naming one thing (`column wx_user.app_id`) and a normalised
 * description of it (`varchar(32) not null collate utf8mb4_unicode_ci`), so a disagreement reads
 * as one line.
 */

const SCHEMA_PATH = join(__dirname, '..', 'prisma', 'schema.prisma');
const COLLATION = 'utf8mb4_unicode_ci';
const BOOKKEEPING_TABLE = '_prisma_migrations';
/** MySQL's identifier limit; Prisma cuts its default constraint names to it. */
const MAX_IDENTIFIER = 64;

type Facts = Map<string, string>;

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isRequired: boolean;
  isList: boolean;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: Array<{ name: string; sortOrder?: 'asc' | 'desc'; length?: number }>;
}

interface Dmmf {
  datamodel: {
    enums: Array<{ name: string; values: Array<{ name: string; dbName: string | null }> }>;
    models: DmmfModel[];
    indexes: DmmfIndex[];
  };
}

// ---------------------------------------------------------------- what schema.prisma asks for

/** Prisma's MySQL column type for a field without @db. */
const DEFAULT_TYPES: Record<string, string> = {
  String: 'varchar(191)',
  Boolean: 'tinyint(1)',
  Int: 'int',
  BigInt: 'bigint',
  Float: 'double',
  Decimal: 'decimal(65,30)',
  DateTime: 'datetime(3)',
  Json: 'json',
  Bytes: 'longblob',
};

const TEXT_TYPE = /^(var)?char\b|text\b|^enum\(/;

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

function parseSchema(schemaText: string): Dmmf {
  return JSON.parse(
    get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]], noColor: true })),
  ) as Dmmf;
}

function quoteSql(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

type Enums = Map<string, Array<{ name: string; value: string }>>;

function columnType(field: DmmfField, enums: Enums): string {
  if (field.kind === 'enum') {
    return `enum(${(enums.get(field.type) ?? []).map((v) => quoteSql(v.value)).join(',')})`;
  }
  if (field.nativeType) {
    const [name, args] = field.nativeType;
    // @db.UnsignedBigInt and friends are the signed type plus UNSIGNED.
    const base = name.startsWith('Unsigned')
      ? `${name.slice('Unsigned'.length).toLowerCase()} unsigned`
      : name.toLowerCase();
    // DATETIME(0) is plain DATETIME to the database.
    const shownArgs = /^(datetime|timestamp|time)$/.test(base) && args[0] === '0' ? [] : args;
    return shownArgs.length > 0 ? `${base}(${shownArgs.join(',')})` : base;
  }
  return DEFAULT_TYPES[field.type] ?? `no mapping for Prisma type ${field.type}`;
}

/** The database default Prisma's migration writes for @default(...), or null for none. */
function columnDefault(field: DmmfField, type: string, enums: Enums): string | null {
  const value = field.default;
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    // An enum default names the Prisma value; the column holds its @map.
    return enums.get(field.type)?.find((v) => v.name === value)?.value ?? value;
  }
  const fn = value as { name: string; args: unknown[] };
  if (fn.name === 'now') {
    const precision = /\((\d+)\)$/.exec(type)?.[1];
    return precision ? `current_timestamp(${precision})` : 'current_timestamp';
  }
  if (fn.name === 'dbgenerated') return String(fn.args[0]).toLowerCase();
  // autoincrement() is an attribute of the column; uuid(), cuid() ... are filled in by the client.
  return null;
}

/** @relation(map: "...") is not part of Prisma's DMMF, so it is read from the field's line. */
function relationMapName(schemaText: string, model: string, field: string): string | undefined {
  const block = new RegExp(`^model\\s+${model}\\s*\\{([\\s\\S]*?)^\\}`, 'm').exec(schemaText)?.[1];
  const line = block?.split('\n').find((l) => new RegExp(`^\\s*${field}\\s`).test(l));
  const relation = line?.split('@relation(')[1];
  return relation ? /\bmap\s*:\s*"([^"]*)"/.exec(relation)?.[1] : undefined;
}

function describeColumn(type: string, nullable: boolean, dflt: string | null, extra: string) {
  return [
    type,
    nullable ? 'null' : 'not null',
    dflt === null ? '' : `default ${dflt}`,
    extra,
    TEXT_TYPE.test(type) ? `collate ${COLLATION}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** What the database must look like, according to schema.prisma. */
function expectedFacts(schemaText: string): Facts {
  const { datamodel } = parseSchema(schemaText);
  const facts: Facts = new Map();
  const enums: Enums = new Map(
    datamodel.enums.map((e) => [
      e.name,
      e.values.map((v) => ({ name: v.name, value: v.dbName ?? v.name })),
    ]),
  );
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName)!;
    return field.dbName ?? field.name;
  };

  for (const model of datamodel.models) {
    const table = tableOf(model);
    facts.set(`table ${table}`, `collate ${COLLATION}`);
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (!field.relationFromFields?.length) continue;
        const target = models.get(field.type)!;
        const columns = field.relationFromFields.map((f) => columnOf(model, f));
        const optional = field.relationFromFields.some(
          (f) => !model.fields.find((x) => x.name === f)!.isRequired,
        );
        const name =
          relationMapName(schemaText, model.name, field.name) ??
          `${table}_${columns.join('_')}_fkey`.slice(0, MAX_IDENTIFIER);
        const onDelete = field.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict');
        const onUpdate = field.relationOnUpdate ?? 'Cascade';
        facts.set(
          `foreign key ${table}.${name}`,
          `(${columns.join(', ')}) references ${tableOf(target)}(${(field.relationToFields ?? [])
            .map((f) => columnOf(target, f))
            .join(', ')}) on delete ${REFERENTIAL_ACTIONS[onDelete]} on update ${
            REFERENTIAL_ACTIONS[onUpdate]
          }`,
        );
        continue;
      }
      const type = columnType(field, enums);
      const autoIncrement =
        (field.default as { name?: string } | undefined)?.name === 'autoincrement';
      facts.set(
        `column ${table}.${field.dbName ?? field.name}`,
        describeColumn(
          type,
          !field.isRequired,
          columnDefault(field, type, enums),
          autoIncrement ? 'auto_increment' : '',
        ),
      );
    }
  }

  for (const index of datamodel.indexes) {
    const model = models.get(index.model)!;
    const table = tableOf(model);
    const columns = index.fields.map((f) => columnOf(model, f.name));
    const suffix = index.type === 'unique' ? 'key' : 'idx';
    const name =
      index.type === 'id'
        ? 'PRIMARY'
        : (index.dbName ?? `${table}_${columns.join('_')}_${suffix}`.slice(0, MAX_IDENTIFIER));
    const kind = { id: 'unique', unique: 'unique', normal: 'index', fulltext: 'fulltext' }[
      index.type
    ];
    const parts = index.fields.map(
      (f, i) =>
        `${columns[i]}${f.length ? `(${f.length})` : ''}${f.sortOrder === 'desc' ? ' desc' : ''}`,
    );
    facts.set(`index ${table}.${name}`, `${kind} (${parts.join(', ')})`);
  }
  return facts;
}

// ---------------------------------------------------------------- what the migrations built

/** MariaDB keeps integer display widths (`int(10) unsigned`); MySQL 8 drops all but tinyint(1). */
function normaliseType(columnTypeText: string): string {
  return columnTypeText
    .toLowerCase()
    .replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, (whole: string, base: string) =>
      whole === 'tinyint(1)' ? whole : base,
    );
}

/**
 * MariaDB reports `'active'`, `current_timestamp(3)` and `NULL` (for "no default" on a nullable
 * column); MySQL reports `active`, `CURRENT_TIMESTAMP(3)` and null.
 */
function normaliseDefault(columnDefault: string | null): string | null {
  if (columnDefault === null || columnDefault === 'NULL') return null;
  if (/^current_timestamp(\(\d*\))?$/i.test(columnDefault)) {
    return columnDefault.toLowerCase().replace('()', '');
  }
  const quoted = /^'([\s\S]*)'$/.exec(columnDefault);
  return quoted ? quoted[1].replace(/''/g, "'").replace(/\\\\/g, '\\') : columnDefault;
}

/** MySQL marks expression defaults DEFAULT_GENERATED; it means nothing for the comparison. */
function normaliseExtra(extra: string): string {
  return extra.toLowerCase().replace('default_generated', '').trim();
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  column_type: string;
  is_nullable: string;
  column_default: string | null;
  extra: string;
  collation_name: string | null;
}

interface IndexRow {
  table_name: string;
  index_name: string;
  non_unique: number | string;
  column_name: string;
  sub_part: number | null;
  collation: string | null;
  index_type: string;
}

interface ForeignKeyRow {
  table_name: string;
  constraint_name: string;
  column_name: string;
  referenced_table_name: string;
  referenced_column_name: string;
  delete_rule: string;
  update_rule: string;
}

/** What the migrated database looks like, read from information_schema. */
async function actualFacts(db: TestDatabase): Promise<Facts> {
  const facts: Facts = new Map();
  const tables = await db.query<{ table_name: string; table_collation: string }>(
    `SELECT TABLE_NAME AS table_name, TABLE_COLLATION AS table_collation
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> ?`,
    [BOOKKEEPING_TABLE],
  );
  for (const t of tables) facts.set(`table ${t.table_name}`, `collate ${t.table_collation}`);

  const columns = await db.query<ColumnRow>(
    `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type,
            IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra,
            COLLATION_NAME AS collation_name
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?`,
    [BOOKKEEPING_TABLE],
  );
  for (const c of columns) {
    const description = [
      normaliseType(c.column_type),
      c.is_nullable === 'YES' ? 'null' : 'not null',
      normaliseDefault(c.column_default) === null
        ? ''
        : `default ${normaliseDefault(c.column_default)}`,
      normaliseExtra(c.extra),
      c.collation_name ? `collate ${c.collation_name}` : '',
    ];
    facts.set(`column ${c.table_name}.${c.column_name}`, description.filter(Boolean).join(' '));
  }

  const foreignKeys = await db.query<ForeignKeyRow>(
    `SELECT k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name,
            k.COLUMN_NAME AS column_name, k.REFERENCED_TABLE_NAME AS referenced_table_name,
            k.REFERENCED_COLUMN_NAME AS referenced_column_name,
            r.DELETE_RULE AS delete_rule, r.UPDATE_RULE AS update_rule
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
        AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  );
  const fkColumns = new Map<string, ForeignKeyRow[]>();
  for (const row of foreignKeys) {
    const key = `${row.table_name}.${row.constraint_name}`;
    fkColumns.set(key, [...(fkColumns.get(key) ?? []), row]);
  }
  for (const [key, rows] of fkColumns) {
    const [first] = rows;
    facts.set(
      `foreign key ${key}`,
      `(${rows.map((r) => r.column_name).join(', ')}) references ${first.referenced_table_name}(${rows
        .map((r) => r.referenced_column_name)
        .join(', ')}) on delete ${first.delete_rule} on update ${first.update_rule}`,
    );
  }

  const indexRows = await db.query<IndexRow>(
    `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique,
            COLUMN_NAME AS column_name, SUB_PART AS sub_part, COLLATION AS collation,
            INDEX_TYPE AS index_type
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [BOOKKEEPING_TABLE],
  );
  const indexes = new Map<string, IndexRow[]>();
  for (const row of indexRows) {
    const key = `${row.table_name}.${row.index_name}`;
    indexes.set(key, [...(indexes.get(key) ?? []), row]);
  }
  for (const [key, rows] of indexes) {
    const kind =
      rows[0].index_type === 'FULLTEXT'
        ? 'fulltext'
        : Number(rows[0].non_unique) === 0
          ? 'unique'
          : 'index';
    const parts = rows.map(
      (r) =>
        `${r.column_name}${r.sub_part ? `(${r.sub_part})` : ''}${r.collation === 'D' ? ' desc' : ''}`,
    );
    const columnsText = rows.map((r) => r.column_name).join(', ');
    // MySQL adds an index named after a foreign key whose columns no index covers; Prisma's
    // migrations never write it and Prisma's diff ignores it, so this comparison does too.
    const fk = facts.get(`foreign key ${key}`);
    if (kind === 'index' && fk?.startsWith(`(${columnsText}) `)) continue;
    facts.set(`index ${key}`, `${kind} (${parts.join(', ')})`);
  }
  return facts;
}

// ---------------------------------------------------------------- the comparison

/** One readable line per disagreement; empty when the database is what the schema describes. */
function compareFacts(expected: Facts, actual: Facts): string[] {
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const diff: string[] = [];
  for (const key of keys) {
    const want = expected.get(key);
    const have = actual.get(key);
    if (want === have) continue;
    if (have === undefined)
      diff.push(`${key}: schema.prisma has "${want}", the migrations lack it`);
    else if (want === undefined)
      diff.push(`${key}: the migrations create "${have}", schema.prisma lacks it`);
    else diff.push(`${key}: schema.prisma says "${want}", the migrations give "${have}"`);
  }
  return diff;
}

function report(diff: string[]): string {
  return [
    'schema.prisma and prisma/migrations disagree. Write a new migration (never edit an applied one)',
    'or fix schema.prisma, until these lines are gone:',
    ...diff.map((line) => `  - ${line}`),
  ].join('\n');
}

/** Replaces exactly one occurrence, so an alteration that no longer applies fails loudly. */
function alter(text: string, from: string | RegExp, to: string): string {
  const altered = text.replace(from, to);
  if (altered === text) throw new Error(`alteration did not apply: ${String(from)}`);
  return altered;
}

describe('schema.prisma matches prisma/migrations', () => {
  const schemaText = readFileSync(SCHEMA_PATH, 'utf8');
  let db: TestDatabase;
  let actual: Facts;

  beforeAll(async () => {
    db = await createTestDatabase();
    actual = await actualFacts(db);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('the migrated database is exactly what schema.prisma describes', () => {
    const diff = compareFacts(expectedFacts(schemaText), actual);
    if (diff.length > 0) throw new Error(report(diff));
  });

  it('compares every kind of object the schema describes', () => {
    const keys = [...expectedFacts(schemaText).keys()];
    for (const kind of ['table ', 'column ', 'index ', 'foreign key ']) {
      expect(keys.filter((key) => key.startsWith(kind)).length).toBeGreaterThan(0);
    }
  });

  it("maps Prisma's types, defaults, names and relations the way its MySQL migrations do", () => {
    const facts = expectedFacts(`
datasource db {
  provider = "mysql"
}

enum Mood {
  happy
  sad   @map("SAD")
}

model Owner {
  id     Int     @id
  things Thing[]
}

model Thing {
  id      Int      @id @default(autoincrement())
  name    String
  code    String   @default("ab'c") @db.Char(4)
  big     BigInt   @map("big_one") @db.UnsignedBigInt
  flag    Boolean  @default(true)
  mood    Mood     @default(sad)
  at      DateTime @default(now())
  at0     DateTime @default(now()) @db.DateTime(0)
  small   Int      @db.UnsignedTinyInt
  price   Decimal  @db.Decimal(10, 2)
  body    String?  @db.Text
  ownerId Int?
  owner   Owner?   @relation(fields: [ownerId], references: [id])

  @@unique([name, code])
  @@index([code(sort: Desc)])
  @@map("things")
}
`);
    expect(Object.fromEntries(facts)).toEqual({
      'table Owner': `collate ${COLLATION}`,
      'table things': `collate ${COLLATION}`,
      'column Owner.id': 'int not null',
      'column things.id': 'int not null auto_increment',
      'column things.name': `varchar(191) not null collate ${COLLATION}`,
      'column things.code': `char(4) not null default ab'c collate ${COLLATION}`,
      'column things.big_one': 'bigint unsigned not null',
      'column things.flag': 'tinyint(1) not null default 1',
      'column things.mood': `enum('happy','SAD') not null default SAD collate ${COLLATION}`,
      'column things.at': 'datetime(3) not null default current_timestamp(3)',
      'column things.at0': 'datetime not null default current_timestamp',
      'column things.small': 'tinyint unsigned not null',
      'column things.price': 'decimal(10,2) not null',
      'column things.body': `text null collate ${COLLATION}`,
      'column things.ownerId': 'int null',
      'foreign key things.things_ownerId_fkey':
        '(ownerId) references Owner(id) on delete SET NULL on update CASCADE',
      'index Owner.PRIMARY': 'unique (id)',
      'index things.PRIMARY': 'unique (id)',
      'index things.things_name_code_key': 'unique (name, code)',
      'index things.things_code_idx': 'index (code desc)',
    });
  });

  it('reads MariaDB and MySQL spellings of the same column alike', () => {
    expect(normaliseType('int(10) unsigned')).toBe('int unsigned');
    expect(normaliseType('bigint(20) unsigned')).toBe('bigint unsigned');
    expect(normaliseType('tinyint(4)')).toBe('tinyint');
    expect(normaliseType('tinyint(1)')).toBe('tinyint(1)');
    expect(normaliseType('VARCHAR(32)')).toBe('varchar(32)');
    expect(normaliseDefault('current_timestamp(3)')).toBe('current_timestamp(3)');
    expect(normaliseDefault('CURRENT_TIMESTAMP(3)')).toBe('current_timestamp(3)');
    expect(normaliseDefault("'active'")).toBe('active');
    expect(normaliseDefault('active')).toBe('active');
    expect(normaliseDefault("'it''s'")).toBe("it's");
    expect(normaliseDefault('NULL')).toBeNull();
    expect(normaliseDefault(null)).toBeNull();
    expect(normaliseExtra('DEFAULT_GENERATED')).toBe('');
    expect(normaliseExtra('auto_increment')).toBe('auto_increment');
  });

  describe('fails when schema.prisma and the migrations disagree', () => {
    const cases: Array<[string, (schema: string) => string, string]> = [
      [
        'a VarChar length changes',
        (s) => alter(s, /(\n\s*openid\s+String\s+@db\.VarChar\()64\)/, '$1100)'),
        'column wx_user.openid',
      ],
      [
        'a field is added',
        (s) =>
          alter(
            s,
            /\n\s*sessions\s+AuthSession\[\]/,
            '\n  nickname2 String? @db.VarChar(10)\n  sessions AuthSession[]',
          ),
        'column wx_user.nickname2',
      ],
      [
        'an index is dropped',
        (s) => alter(s, '@@index([unionid], map: "wx_user_unionid_idx")', ''),
        'index wx_user.wx_user_unionid_idx',
      ],
      [
        'the columns of a unique index are reordered',
        (s) => alter(s, '@@unique([appId, openid]', '@@unique([openid, appId]'),
        'index wx_user.wx_user_app_id_openid_key',
      ],
      [
        'an index is renamed',
        (s) => alter(s, 'map: "login_log_wx_user_id_at_idx"', 'map: "login_log_by_user"'),
        'index login_log.login_log_by_user',
      ],
      [
        'a unique field loses @unique',
        (s) => alter(s, '@unique(map: "refresh_token_token_hash_key") ', ''),
        'index refresh_token.refresh_token_token_hash_key',
      ],
      [
        'onDelete changes',
        (s) => alter(s, /(model LoginLog[\s\S]*?)onDelete: Cascade/, '$1onDelete: Restrict'),
        'foreign key login_log.login_log_wx_user_id_fkey',
      ],
      [
        'a foreign key gets a name of its own',
        (s) =>
          alter(
            s,
            /(model LoginLog[\s\S]*?)onDelete: Cascade\)/,
            '$1onDelete: Cascade, map: "login_log_owner_fk")',
          ),
        'foreign key login_log.login_log_owner_fk',
      ],
      [
        'a default changes',
        (s) => alter(s, '@default(active)', '@default(disabled)'),
        'column account.status',
      ],
      [
        'an enum gains a value',
        (s) => alter(s, /(enum AccountStatus \{[^}]*)\}/, '$1  deleted\n}'),
        'column account.status',
      ],
      [
        'a column becomes required',
        (s) => alter(s, /(\n\s*phone\s+)String\?/, '$1String'),
        'column account.phone',
      ],
      [
        'a column is renamed with @map',
        (s) => alter(s, /(model WxUser[\s\S]*?)@map\("last_login_ip"\)/, '$1@map("last_ip")'),
        'column wx_user.last_ip',
      ],
      ['a model loses its @@map', (s) => alter(s, '@@map("login_log")', ''), 'table LoginLog'],
      [
        'a DateTime precision changes',
        (s) =>
          alter(
            s,
            /(model AuthSession[\s\S]*?expiresAt\s+DateTime\s+@map\("expires_at"\) @db\.)DateTime\(3\)/,
            '$1DateTime(0)',
          ),
        'column auth_session.expires_at',
      ],
      [
        'a column becomes signed',
        (s) => alter(s, '@map("login_count") @db.UnsignedInt', '@map("login_count") @db.Int'),
        'column account.login_count',
      ],
    ];

    it.each(cases)('%s', (_name, change, key) => {
      const diff = compareFacts(expectedFacts(change(schemaText)), actual);
      expect(diff.length).toBeGreaterThan(0);
      expect(diff.some((line) => line.startsWith(`${key}:`))).toBe(true);
    });

    it("a database changed behind the migrations' back", async () => {
      await db.query('ALTER TABLE wx_user ADD COLUMN note VARCHAR(10) NULL');
      await db.query('CREATE INDEX wx_user_unionid2_idx ON wx_user (unionid)');
      await db.query('ALTER TABLE auth_session MODIFY revoke_reason VARCHAR(20) NULL');
      // No index covers note.user_id, so the server adds one named after the foreign key.
      await db.query(
        `CREATE TABLE note (id INT NOT NULL PRIMARY KEY, user_id BIGINT UNSIGNED NOT NULL,
           CONSTRAINT note_user_id_fkey FOREIGN KEY (user_id) REFERENCES wx_user (id) ON DELETE RESTRICT ON UPDATE CASCADE)
         DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      const diff = compareFacts(expectedFacts(schemaText), await actualFacts(db));
      expect(diff).toEqual([
        'column auth_session.revoke_reason: schema.prisma says "varchar(16) null collate utf8mb4_unicode_ci", the migrations give "varchar(20) null collate utf8mb4_unicode_ci"',
        'column note.id: the migrations create "int not null", schema.prisma lacks it',
        'column note.user_id: the migrations create "bigint unsigned not null", schema.prisma lacks it',
        'column wx_user.note: the migrations create "varchar(10) null collate utf8mb4_unicode_ci", schema.prisma lacks it',
        'foreign key note.note_user_id_fkey: the migrations create "(user_id) references wx_user(id) on delete RESTRICT on update CASCADE", schema.prisma lacks it',
        'index note.PRIMARY: the migrations create "unique (id)", schema.prisma lacks it',
        'index wx_user.wx_user_unionid2_idx: the migrations create "index (unionid)", schema.prisma lacks it',
        'table note: the migrations create "collate utf8mb4_unicode_ci", schema.prisma lacks it',
      ]);
      const implicit = await db.query(
        "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'note_user_id_fkey'",
      );
      expect(implicit).toHaveLength(1);
      expect(report(diff)).toContain('  - column wx_user.note:');
    });
  });
});
