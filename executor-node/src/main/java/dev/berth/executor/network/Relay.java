package dev.berth.executor.network;

/** A published port's relay on the node (TCP or UDP), closed when its container detaches. */
interface Relay extends AutoCloseable {
    @Override
    void close();
}
