/**
 * Child process of a first start on PGlite (see createInChildProcess in pglite.ts): creates the
 * database in the data directory given as its argument, applies the migrations, closes it, exits.
 */
import { createDb } from "./client.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: pglite-first-start.ts <data directory>");
const database = await createDb({ dataDir, createHere: true });
await database.migrate();
await database.close();
