import 'dotenv/config';
import { defineConfig } from 'prisma/config';

// Read process.env (with .env loaded, as the service does) with a default rather than
// env(): `prisma generate` must work on a fresh clone where DATABASE_URL is not set yet.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL || 'mysql://root@127.0.0.1:3306/wxauth',
  },
});
