package dev.berth.executor.container;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One container runtime over a temp data dir per test class, removed with everything it made. */
abstract class ContainerTestBase {
    static ContainerFixture node;

    @BeforeAll
    static void startNode() throws Exception {
        node = new ContainerFixture();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) node.close();
        node = null;
    }
}
