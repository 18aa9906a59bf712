package io.tracepackets;

/**
 * A network namespace in a trace's scope.
 *
 * @param inode the namespace's inode, as events carry it ({@code ls -iL /proc/<pid>/ns/net})
 * @param label what a person calls it: the container's name, the netns path, or the inode
 */
public record TracedNamespace(long inode, String label) {
}
