/**
 * What a sampling heap profile (allocation-sampler.ts) says per request: bytes allocated by
 * package (or farebox source file) and by function, self, and farebox's functions inclusive of
 * what they call.
 */
import { ownerOf } from "./profile-owner.js";

interface AllocationNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children: AllocationNode[];
}
export interface AllocationProfile {
  head: AllocationNode;
  samples: { size: number; nodeId: number }[];
}

export function allocationSummary(profile: AllocationProfile, requests: number): string {
  const nodes = new Map<number, AllocationNode>();
  const parents = new Map<number, number>();
  const visit = (node: AllocationNode, parent?: number): void => {
    nodes.set(node.id, node);
    if (parent !== undefined) parents.set(node.id, parent);
    for (const child of node.children) visit(child, node.id);
  };
  visit(profile.head);
  const owners = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const nameOf = ({ functionName, url, lineNumber }: AllocationNode["callFrame"]) => `${functionName || "(anonymous)"} ${ownerOf(url, functionName)}:${lineNumber + 1}`;
  let total = 0;
  for (const { size, nodeId } of profile.samples) {
    total += size;
    const { callFrame } = nodes.get(nodeId)!;
    add(owners, ownerOf(callFrame.url, callFrame.functionName), size);
    add(self, nameOf(callFrame), size);
    const counted = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parents.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (!frame.url.includes("dist/server/")) continue;
      const name = nameOf(frame);
      if (!counted.has(name)) add(inclusive, name, size);
      counted.add(name);
    }
  }
  const kb = (bytes: number) => `${(bytes / requests / 1024).toFixed(2).padStart(6)} KB`;
  const top = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, bytes]) => `  ${kb(bytes)}  ${name}`)
      .join("\n");
  return (
    `allocated ${kb(total)} per request (${requests} requests, collected objects included)\n\n` +
    `by owner (self):\n${top(owners, 20)}\n\nheaviest functions (self):\n${top(self, 30)}\n\nfarebox functions (inclusive):\n${top(inclusive, 25)}`
  );
}
