/**
 * The release the cost-per-request work started from, the "old release" the closed-loop target is
 * a multiple of (the first outside measurement, 2,875 req/s on another 2-core machine, was of this
 * code), so `npm run bench` can measure it beside today's farebox in the same run rather than quote
 * a figure from another day and machine. BENCH_OLD_RELEASE names another commit.
 *
 * The commit's files are exported from this repository's history (`git archive`, so the checkout
 * registers no worktree) into the temp directory with its own dependencies (`npm ci`); both are
 * kept, so only the first run pays the ≈1 minute of it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The last commit before the cost-per-request work (2026-11-30); BENCH_OLD_RELEASE=0: none is measured. */
export const OLD_RELEASE: string | undefined =
  process.env.BENCH_OLD_RELEASE === "0" ? undefined : (process.env.BENCH_OLD_RELEASE ?? "cf1862fedb2ef3c9fad57b20762f22e98d6756c3");

const repository = fileURLToPath(new URL("..", import.meta.url));

/** A directory holding the old release ready for `npm start`; undefined (said why) when it cannot be made. */
export function oldReleaseCheckout(log: (line: string) => void): string | undefined {
  if (OLD_RELEASE === undefined) return undefined;
  const directory = join(tmpdir(), `farebox-release-${OLD_RELEASE.slice(0, 12)}`);
  // npm ci writes this last: its presence means a finished install
  if (existsSync(join(directory, "node_modules", ".package-lock.json"))) return directory;
  log(`preparing the old release ${OLD_RELEASE.slice(0, 7)} in ${directory} (git archive, npm ci; kept for later runs)…`);
  try {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    const archive = execFileSync("git", ["-C", repository, "archive", "--format=tar", OLD_RELEASE], { maxBuffer: 1 << 30 });
    execFileSync("tar", ["-x", "-C", directory], { input: archive });
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: directory, stdio: "ignore" });
    return directory;
  } catch (error) {
    log(`could not prepare the old release (${(error as Error).message.split("\n")[0]}); the report will have no old-release figure`);
    rmSync(directory, { recursive: true, force: true });
    return undefined;
  }
}
