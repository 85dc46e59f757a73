import type { Config } from "../../config/schema.js";
import type { Db } from "../../db/client.js";
import type { KeyResolver } from "../../keys/index.js";

/** What every route module receives: no module reaches for globals. */
export interface RouteDeps {
  config: Config;
  db: Db;
  keys: KeyResolver;
  clock: () => Date;
}
