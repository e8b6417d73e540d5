// The rows of the Connections view's "Topology" branch, one class per kind.
import type { TopologyGroupNode } from './groupNode';
import type { TopologyMessageNode } from './messageNode';
import type { TopologyRootNode } from './rootNode';
import type { TopologyServerNode } from './serverNode';

export { TopologyGroupNode } from './groupNode';
export { TopologyMessageNode } from './messageNode';
export { TopologyRootNode } from './rootNode';
export { TopologyServerNode } from './serverNode';

export type TopologyTreeNode = TopologyRootNode | TopologyServerNode | TopologyGroupNode | TopologyMessageNode;
