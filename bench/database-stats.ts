/**
 * What farebox's requests cost its Postgres database, for the benchmarks: the backends serving the
 * database (their CPU is read from /proc like farebox's own), and the database's activity counters
 * (pg_stat_database, pg_stat_user_tables) so a run can say how many transactions and row writes
 * each request took. Backends report their counters about once a second, so over a window of
 * steady load the difference of two snapshots is close but not exact.
 */
import postgres from "postgres";

export interface DatabaseSnapshot {
  transactions: number;
  /** Rows inserted, updated and deleted, by table. */
  rows: Map<string, { inserted: number; updated: number; hotUpdated: number; deleted: number }>;
}

export interface DatabaseStats {
  /** Pids of the Postgres backends connected to the database now. */
  backendPids(): Promise<number[]>;
  snapshot(): Promise<DatabaseSnapshot>;
  close(): Promise<void>;
}

/** Stats of `databaseName` on the server of `adminDatabaseUrl`. */
export function databaseStats(adminDatabaseUrl: string, databaseName: string): DatabaseStats {
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => undefined });
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${databaseName}`;
  const own = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  return {
    async backendPids() {
      const rows = await admin`select pid from pg_stat_activity where datname = ${databaseName} and pid <> ${(await own`select pg_backend_pid() as pid`)[0]!.pid as number}`;
      return rows.map((row) => row.pid as number);
    },
    async snapshot() {
      const [database] = await admin`select xact_commit + xact_rollback as transactions from pg_stat_database where datname = ${databaseName}`;
      const tables = await own`select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del from pg_stat_user_tables`;
      return {
        transactions: Number(database?.transactions ?? 0),
        rows: new Map(
          tables.map((row) => [
            row.relname as string,
            { inserted: Number(row.n_tup_ins), updated: Number(row.n_tup_upd), hotUpdated: Number(row.n_tup_hot_upd), deleted: Number(row.n_tup_del) },
          ]),
        ),
      };
    },
    async close() {
      await Promise.all([admin.end(), own.end()]);
    },
  };
}

/** Per request between two snapshots: transactions, and rows written by table (tables written at all). */
export function perRequest(before: DatabaseSnapshot, after: DatabaseSnapshot, requests: number): string {
  const fmt = (value: number) => (value / requests).toFixed(3);
  const lines = [`  transactions ${fmt(after.transactions - before.transactions)} per request`];
  for (const [table, now] of after.rows) {
    const then = before.rows.get(table) ?? { inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 };
    const inserted = now.inserted - then.inserted;
    const updated = now.updated - then.updated;
    const deleted = now.deleted - then.deleted;
    if (inserted + updated + deleted === 0) continue;
    lines.push(`  ${table}: ${fmt(inserted)} inserted, ${fmt(updated)} updated (${fmt(now.hotUpdated - then.hotUpdated)} HOT), ${fmt(deleted)} deleted per request`);
  }
  return lines.join("\n");
}
