package dev.berth.executor.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every isolation test again, on a node whose containers all get a user namespace (the node default). */
class UsernsIsolationTest extends IsolationTest {
    @BeforeAll
    static void usernsNode() throws Exception {
        node.close(); // the base class's node, made before this: replaced
        node = new ContainerFixture(null, true);
    }

    @Test
    @DisplayName("the node default gives a task that did not ask a user namespace all the same")
    void defaultApplies() throws Exception {
        var r = node.run(ContainerFixture.task("cat", "/proc/self/uid_map"));
        assertThat(r.stdout().strip().split("\\s+")).containsExactly("0", String.valueOf(UsernsTest.BASE), "65536");
    }
}
