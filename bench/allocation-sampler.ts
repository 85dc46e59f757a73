/**
 * Preloaded into the gateway by `PROFILE_ALLOCATIONS=1 npm run bench:profile`: V8's sampling heap
 * profiler over the inspector, with objects already collected by minor and major GCs kept in the
 * profile, so it shows what each function allocates per request rather than what is still alive.
 * The first SIGUSR2 starts sampling; the next writes the profile to FAREBOX_ALLOCATION_PROFILE.
 */
import { renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const output = process.env.FAREBOX_ALLOCATION_PROFILE!;
const session = new Session();
session.connect();
const post = (method: string, params: object = {}) =>
  new Promise<Record<string, unknown>>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as Record<string, unknown>))));

let sampling = false;
process.on("SIGUSR2", () => {
  const step = sampling
    ? post("HeapProfiler.stopSampling").then(({ profile }) => {
        // renamed into place whole: the benchmark reads it as soon as it exists
        writeFileSync(`${output}.part`, JSON.stringify(profile));
        renameSync(`${output}.part`, output);
      })
    : post("HeapProfiler.enable").then(() =>
        post("HeapProfiler.startSampling", { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
      );
  sampling = !sampling;
  step.catch((error: unknown) => process.stderr.write(`allocation sampler: ${String(error)}\n`));
});
