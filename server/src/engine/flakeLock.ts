/**
 * The microvm.nix revision in use, from flake.lock: `lastModified` of the input locked from
 * microvm.nix (usually `nodes.microvm`). It tells which tap-service layout quick fixes target.
 */
interface LockNode {
  locked?: { lastModified?: number; repo?: string; owner?: string; url?: string };
  original?: { repo?: string; owner?: string; url?: string };
}

function isMicrovm(name: string, node: LockNode): boolean {
  const names = [node.locked?.repo, node.original?.repo, node.locked?.url, node.original?.url].filter(Boolean) as string[];
  if (names.some((n) => /microvm(\.nix)?(\.git)?$/.test(n) || /microvm\.nix/.test(n))) return true;
  return name === 'microvm';
}

/** Seconds since the epoch, or null when the lock has no microvm input or is not JSON. */
export function readFlakeLock(text: string): number | null {
  let lock: { nodes?: Record<string, LockNode> };
  try {
    lock = JSON.parse(text);
  } catch {
    return null;
  }
  const nodes = lock?.nodes;
  if (!nodes || typeof nodes !== 'object') return null;
  for (const [name, node] of Object.entries(nodes)) {
    if (node && typeof node === 'object' && isMicrovm(name, node)) {
      const modified = node.locked?.lastModified;
      if (typeof modified === 'number') return modified;
    }
  }
  return null;
}

/** microvm.nix moved the tap loop into the guest's `bin/tap-up` on 2024-11-27. */
export const TAP_UP_LAYOUT_SINCE = Date.UTC(2024, 10, 27) / 1000;

export type TapServiceLayout = 'script' | 'tap-up';

export function tapServiceLayout(lastModified: number | null): TapServiceLayout {
  return lastModified !== null && lastModified < TAP_UP_LAYOUT_SINCE ? 'script' : 'tap-up';
}
