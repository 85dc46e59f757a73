/**
 * The yardstick: nginx as a bare keep-alive reverse proxy in front of the same fake upstream, so
 * the report can say what farebox costs relative to the cheapest possible hop, measured in the
 * same run. Installed from Debian (`apt-get install nginx-light`) when missing.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/support/free-port.js";

export interface Nginx {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function nginxBinary(): string | undefined {
  for (const path of ["/usr/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      execFileSync(path, ["-v"], { stdio: "ignore" });
      return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** The nginx binary, installed from Debian's packages when missing; undefined when that is not possible. */
export function ensureNginx(log: (line: string) => void): string | undefined {
  const found = nginxBinary();
  if (found) return found;
  log("nginx is missing: installing nginx-light from Debian (apt-get)…");
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "nginx-light"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } catch {
    try {
      execFileSync("apt-get", ["update"], { stdio: "ignore" });
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "nginx-light"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    } catch (error) {
      log(`could not install nginx (${(error as Error).message.split("\n")[0]}); the report will have no nginx column`);
      return undefined;
    }
  }
  return nginxBinary();
}

/** nginx proxying every request to `upstreamUrl` over kept-alive connections, unbuffered (streams pass through). */
export async function startNginx(binary: string, upstreamUrl: string): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "farebox-bench-nginx-"));
  const port = await freePort();
  const upstream = new URL(upstreamUrl);
  writeFileSync(
    join(dir, "nginx.conf"),
    `worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  upstream fake { server ${upstream.host}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`,
  );
  const child = spawn(binary, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    try {
      await fetch(`${url}/`, { method: "HEAD" });
      break;
    } catch (error) {
      if (tries > 100 || child.exitCode !== null) throw new Error(`nginx did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    child,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
