import { PGlite } from "@electric-sql/pglite";
let t = Date.now();
const a = new PGlite("/tmp/pgdir-test"); await a.waitReady; console.log("open dir", Date.now() - t); t = Date.now();
const dump = await a.dumpDataDir("none"); console.log("dump", Date.now() - t, dump.size); await a.close(); t = Date.now();
const b = new PGlite({ loadDataDir: dump }); await b.waitReady; console.log("open from dump", Date.now() - t); t=Date.now();
const c = new PGlite("/tmp/pgdir-test"); await c.waitReady; console.log("reopen dir", Date.now() - t);
