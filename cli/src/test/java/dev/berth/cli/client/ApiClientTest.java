package dev.berth.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several members' addresses: a call goes on to the next member when one cannot be reached, and stays with the one that answered. */
class ApiClientTest {
    HttpServer member;
    final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void startMember() throws IOException {
        member = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        member.createContext("/v1/jobs", ex -> {
            calls.incrementAndGet();
            byte[] body = ("[] from " + ex.getRequestMethod()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ex.getRequestMethod().equals("DELETE") ? 404 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        member.start();
    }

    @AfterEach
    void stopMember() {
        member.stop(0);
    }

    @Test
    void goesOnToTheNextMemberWhenOneCannotBeReached() throws Exception {
        String down = "http://127.0.0.1:" + closedPort();
        String up = "http://127.0.0.1:" + member.getAddress().getPort();
        var api = new ApiClient(down + ", " + up + "/", null, null);
        assertThat(api.base().toString()).isEqualTo(down);

        assertThat(api.get("/v1/jobs")).isEqualTo("[] from GET");
        assertThat(api.base().toString()).as("the member that answered is asked first from then on").isEqualTo(up);
        assertThat(api.post("/v1/jobs", "{}", "application/json")).isEqualTo("[] from POST");
        assertThat(calls).hasValue(2);
        assertThat(api.reachable()).isTrue();
    }

    @Test
    void anAnswerIsNotRetried() throws Exception {
        String up = "http://127.0.0.1:" + member.getAddress().getPort();
        var api = new ApiClient(up + "," + up, null, null);
        assertThatThrownBy(() -> api.delete("/v1/jobs")).isInstanceOf(ApiException.class);
        assertThat(calls).as("a member's refusal is its answer, not a reason to ask another").hasValue(1);
    }

    @Test
    void noMemberReachableNamesThemAll() throws Exception {
        String a = "http://127.0.0.1:" + closedPort(), b = "http://127.0.0.1:" + closedPort();
        var api = new ApiClient(a + "," + b, null, null);
        assertThat(api.reachable()).isFalse();
        assertThatThrownBy(() -> api.get("/v1/jobs")).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach the Berth API at " + a + ", " + b);
    }

    @Test
    void anEmptyAddressIsRefused() {
        assertThatThrownBy(() -> new ApiClient(" , ", null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--address: no API address given");
    }

    /** A loopback port nothing listens on: bound, read and closed. */
    private static int closedPort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
