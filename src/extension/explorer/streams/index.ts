// The rows of the Streams view, one class per kind.
import type { MessageNode } from '../messageNode';
import type { ConsumerNode } from './consumerNode';
import type { EntriesNode } from './entriesNode';
import type { EntryNode } from './entryNode';
import type { GroupNode } from './groupNode';
import type { LoadMoreNode } from './loadMoreNode';
import type { PendingNode } from './pendingNode';
import type { SeekPageNode } from './seekPageNode';
import type { StreamNode } from './streamNode';

export type StreamsTreeNode = StreamNode | EntriesNode | EntryNode | GroupNode | ConsumerNode | PendingNode | LoadMoreNode | SeekPageNode | MessageNode;
