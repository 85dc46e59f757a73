/** Who a profiled frame belongs to, for the summaries of bench:profile. */
/** A package name, farebox's own source file, node's internals, or V8's pseudo-frames. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || "anonymous"})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return url;
  const own = /dist\/server\/(.*)$/.exec(url);
  return own ? `farebox ${own[1]}` : url;
}
