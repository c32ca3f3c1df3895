/**
 * The closest tree to the layered DAG for queues whose flows are trees (a job
 * has at most one parent; a parent runs after all its children): BullMQ's
 * FlowProducer.
 *
 * The DAG has `levels` levels of `width` tasks and every task of level L
 * waits for all of level L − 1. A tree cannot give a job several parents, so
 * only one task per level can wait for the level below. The tree keeps the
 * DAG's size (levels × width jobs), its depth (`levels` sequential waves) and
 * a fan-in of `width` at every step:
 *
 * - each level L has one *hub* (`l{L}_hub`) and `width − 1` *leaves*;
 * - the hub of level L (L ≥ 1) is the parent of all `width` jobs of level
 *   L − 1 (the hub below and its leaves), so it waits for the whole level;
 * - the top hub is the root; the top level's leaves hang from it too.
 *
 * What the tree loses: a leaf waits for nothing, so all leaves are ready at
 * once; only the hubs form the 10-step chain. It has `levels × width − 1`
 * edges where the DAG has `(levels − 1) × width²`, and a parent receives
 * nothing from its children unless it asks (`getChildrenValues()`, an extra
 * round trip this benchmark does not make).
 */

/** A node of the tree, in the shape FlowProducer.add takes (minus queue options). */
export interface TreeNode {
  name: string;
  children: TreeNode[];
}

/** Builds the tree for `levels` × `width` (default: the brief's 10 × 5). */
export function buildTree(levels = 10, width = 5): TreeNode {
  const leaves = (level: number): TreeNode[] =>
    Array.from({ length: width - 1 }, (_, i) => ({ name: `l${level}_leaf${i}`, children: [] }));
  let below: TreeNode[] = [];
  for (let level = 0; level < levels - 1; level++) {
    below = [{ name: `l${level}_hub`, children: below }, ...leaves(level)];
  }
  return { name: `l${levels - 1}_hub`, children: [...below, ...leaves(levels - 1)] };
}

/** Number of nodes in a tree. */
export function countNodes(node: TreeNode): number {
  return 1 + node.children.reduce((sum, child) => sum + countNodes(child), 0);
}

/** Depth of a tree (a single node has depth 1). */
export function depth(node: TreeNode): number {
  return 1 + Math.max(0, ...node.children.map(depth));
}
