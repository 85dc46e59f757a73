import { defineConfig } from "drizzle-kit";

/** drizzle-kit generates the SQL migrations in drizzle/ from the schema; they are committed. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./drizzle",
});
