package dev.berth.cli.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.up.AllInOne;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.TestNetworks;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.scheduler.SchedulerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;

/**
 * The web UI in a real browser (Debian's chromium through chromedriver) against a real all-in-one
 * Berth: scheduler, executor with real containers, embedded Kafka for usage, tokens on. Every test
 * starts in a fresh tab session, so the UI asks for the token each time, as it would a new user.
 * Screenshots of each page go to target/ui-screenshots (the README shows them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiTest {
    static final String NODE = "ui-node";
    static Path dataDir;
    static AllInOne berth;
    static String api, secret;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    Browser browser;
    Pages.TokenDialog token;

    @BeforeAll
    static void up() throws Exception {
        dataDir = Files.createTempDirectory("berth-webui-");
        var executor = ExecutorConfig.of(NODE, dataDir).with("cgroupParent", "berth-webui-test", "usageInterval", "1s")
                .with(TestNetworks.settings("webui", 17));
        NodeRuntime.images(executor).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox:latest");
        int clusterPort;
        try (var s = new ServerSocket(0)) {
            clusterPort = s.getLocalPort();
        }
        berth = AllInOne.startWithKafka(dataDir.resolve("kafka"), ClusterSettings.single("berth-webui-" + clusterPort, clusterPort),
                SchedulerConfig.defaults().with("port", 0, "acl", true), executor, NodeRuntime.create(executor));
        api = "http://127.0.0.1:" + berth.apiPort();
        var boot = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/acl/bootstrap")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(boot.statusCode()).isEqualTo(201);
        secret = new JsonObject(boot.body()).getString("secret");
        await().atMost(Duration.ofSeconds(30)).until(() -> new JsonArray(call("GET", "/v1/nodes", null).body()).size() == 1);
    }

    @AfterAll
    static void down() throws Exception {
        if (berth != null) berth.close();
        delete(dataDir);
    }

    @BeforeEach
    void openBrowser() throws IOException {
        browser = new Browser(api, Files.createTempDirectory(dataDir, "chromium-"));
        token = new Pages.TokenDialog(browser);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.close();
            delete(browser.profile());
        }
    }

    @Test
    @Order(1)
    @DisplayName("a job submitted from the Run page completes on the job page without a reload, and its log reads on the allocation page")
    void runPageSubmitsAJobThatCompletes() throws Exception {
        var run = new Pages.RunPage(browser).open();
        token.give(secret);
        run.write("""
                name: browser-hello
                groups:
                  - name: main
                    count: 2
                    tasks:
                      - name: say
                        image: busybox
                        command: [sh, -c, "echo hello from the browser; echo a warning >&2; sleep 3"]
                        resources: {cpu: 100m, memory: 32Mi}
                """);
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> run.planSummary().startsWith("2 would be placed, 0 would wait, on 1 node"));
        assertThat(browser.await("plan-group").getText()).contains(NODE + " × 2");
        browser.screenshot("run");
        run.run();

        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().matches(".*/ui/jobs/browser-hello-[0-9a-f]+$"));
        String jobId = browser.driver.getCurrentUrl().replaceAll(".*/ui/jobs/", "");
        browser.js("window.__sameDocument = true"); // gone if the page reloads
        var job = new Pages.JobPage(browser);
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> job.status().equals("running"));
        browser.screenshot("job-running");
        browser.waitUpTo(Duration.ofSeconds(40)).until(d -> job.status().equals("complete"));
        assertThat(browser.js("return window.__sameDocument === true")).as("the page followed the job live, without a reload").isEqualTo(true);
        assertThat(job.allocations()).hasSize(2).allSatisfy(a -> assertThat(a.getAttribute("data-status")).isEqualTo("complete"));
        assertThat(browser.await("job-spec").getText()).contains("name: browser-hello").contains("echo hello from the browser");
        assertThat(call("GET", "/v1/jobs/" + jobId, null).body()).contains("\"status\":\"complete\"");
        browser.screenshot("job");

        job.openFirstAllocation();
        var alloc = new Pages.AllocationPage(browser);
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> alloc.log().contains("hello from the browser"));
        assertThat(alloc.status()).isEqualTo("complete");
        assertThat(browser.await("timeline").getText()).contains("pending").contains("running").contains("complete");
        alloc.showStream("stderr");
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> alloc.log().contains("a warning"));
        assertThat(alloc.log()).doesNotContain("hello from the browser");
        alloc.filter("nothing like this");
        browser.waitUpTo(Duration.ofSeconds(5)).until(d -> alloc.log().isEmpty());
        browser.screenshot("allocation");
    }

    @Test
    @Order(2)
    @DisplayName("a broken spec shows each error at its field path and line as it is typed, and cannot be run")
    void brokenSpecShowsErrorsAtTheirPaths() throws Exception {
        var run = new Pages.RunPage(browser).open();
        token.give(secret);
        run.write("""
                name: broken
                groups:
                  - name: main
                    count: -1
                    tasks:
                      - name: say
                        image: busybox
                        resources:
                          memory: lots""");
        run.type("\n      - name: second");
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> run.errors().size() >= 2);
        var byPath = new java.util.TreeMap<String, String>();
        run.errors().forEach(e -> byPath.put(e.getAttribute("data-path"), e.getAttribute("data-line")));
        assertThat(byPath).containsEntry("groups[0].count", "4").containsEntry("groups[0].tasks[0].resources.memory", "9");
        assertThat(browser.await("spec-errors").getText()).contains("groups[0].tasks[0].resources.memory").contains("lots");
        assertThat(browser.await("run-job").isEnabled()).isFalse();
        assertThat(browser.await("spec-editor").getAttribute("aria-invalid")).isEqualTo("true");
        browser.screenshot("run-errors");
        assertThat(new JsonArray(call("GET", "/v1/jobs", null).body()).stream().map(j -> ((JsonObject) j).getString("name"))).doesNotContain("broken");
    }

    @Test
    @Order(3)
    @DisplayName("draining a node from the Nodes page changes its state there and in the API, and undoing it too")
    void drainFromTheNodesPage() throws Exception {
        var nodes = new Pages.NodesPage(browser);
        browser.open("/ui/nodes");
        token.give(secret);
        browser.await("node-card");
        assertThat(nodes.status(NODE)).isEqualTo("ready");
        assertThat(nodes.card(NODE).findElement(Browser.byTestId("node-cpu")).getText()).contains("CPU");
        nodes.toggleDrain(NODE);
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> nodes.status(NODE).equals("draining"));
        assertThat(new JsonObject(call("GET", "/v1/nodes/" + NODE, null).body()).getString("status")).isEqualTo("draining");
        browser.screenshot("nodes-draining");
        nodes.toggleDrain(NODE);
        browser.waitUpTo(Duration.ofSeconds(20)).until(d -> nodes.status(NODE).equals("ready"));
        assertThat(new JsonObject(call("GET", "/v1/nodes/" + NODE, null).body()).getString("status")).isEqualTo("ready");
        browser.screenshot("nodes");
    }

    @Test
    @Order(4)
    @DisplayName("the Capacity page draws its charts from real usage and says how many more of a spec fit")
    void capacityPageDrawsCharts() throws Exception {
        String busy = new JsonObject(call("POST", "/v1/jobs", """
                {"name": "busy", "type": "service", "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c", "while :; do :; done"],
                 "resources": {"cpu": "250m", "memory": "64Mi"}}]}]}""").body()).getString("id");
        try {
            var capacity = new Pages.CapacityPage(browser);
            browser.open("/ui/capacity");
            token.give(secret);
            browser.await("capacity-now");
            browser.waitUpTo(Duration.ofSeconds(90)).until(d -> capacity.points("chart-cpu") >= 2 && capacity.points("chart-nodes-memory") >= 2);
            assertThat(capacity.drawn("chart-cpu")).isTrue();
            assertThat(capacity.drawn("chart-memory")).isTrue();
            browser.waitUpTo(Duration.ofSeconds(30)).until(d -> browser.await("cluster-cpu").getText().contains("250m alloc"));
            int fits = capacity.fits("""
                    name: probe
                    groups:
                      - tasks:
                          - image: busybox
                            resources: {cpu: 500m, memory: 64Mi}
                    """);
            assertThat(fits).as("2 cores less 250m allocated, in 500m pieces").isEqualTo(3);
            browser.screenshot("capacity");

            // the allocation page charts that allocation's own use, from its usage events
            String allocId = new JsonArray(call("GET", "/v1/jobs/" + busy + "/allocations", null).body()).getJsonObject(0).getString("id");
            browser.open("/ui/allocations/" + allocId);
            browser.waitUpTo(Duration.ofSeconds(60)).until(d -> capacity.points("alloc-cpu-chart") >= 2);
            assertThat(capacity.drawn("alloc-memory-chart")).isTrue();
            assertThat(browser.await("alloc-ip").getText()).startsWith("10.211.17.");
            browser.screenshot("allocation-running");
        } finally {
            call("DELETE", "/v1/jobs/" + busy, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(call("GET", "/v1/jobs/" + busy, null).body()).getString("status").equals("stopped"));
        }
    }

    @Test
    @Order(5)
    @DisplayName("the Jobs page shows new jobs live, keeps its filter in the address, and keeps the token for the tab only")
    void jobsPageIsLiveAndFiltersLiveInTheAddress() throws Exception {
        var jobs = new Pages.JobsPage(browser);
        browser.open("/ui/jobs?q=later");
        token.give(secret);
        browser.await("jobs-table");
        browser.js("window.__sameDocument = true");
        String later = new JsonObject(call("POST", "/v1/jobs", """
                {"name": "later", "groups": [{"tasks": [{"image": "busybox", "command": ["true"]}]}]}""").body()).getString("id");
        jobs.row(later);
        assertThat(jobs.rows()).allSatisfy(r -> assertThat(r.getText()).contains("later"));
        assertThat(browser.js("return window.__sameDocument === true")).isEqualTo(true);
        jobs.search("browser");
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().endsWith("/ui/jobs?q=browser"));
        assertThat(jobs.rows()).isNotEmpty().allSatisfy(r -> assertThat(r.getText()).contains("browser-hello"));
        browser.open("/ui/jobs?q=browser"); // a shared link: the same view, and the tab still has its token
        assertThat(token.shown()).isFalse();
        assertThat(browser.await("jobs-filter").getAttribute("value")).isEqualTo("browser");
        assertThat(browser.js("return sessionStorage.getItem('berth.token') === arguments[0] && localStorage.length === 0", secret)).isEqualTo(true);
        jobs.search("");
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> jobs.rows().size() >= 3);
        browser.screenshot("jobs");
    }

    @Test
    @Order(6)
    @DisplayName("on a narrow screen nothing overflows sideways, and the keyboard reaches the controls with visible focus")
    void narrowScreenAndKeyboard() throws Exception {
        browser.open("/ui/jobs");
        token.give(secret);
        browser.await("job-row");
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        browser.waitUpTo(Duration.ofSeconds(5)).until(d -> ((Number) browser.js("return window.innerWidth")).intValue() < 500);
        assertThat(((Number) browser.js("return document.documentElement.scrollWidth - window.innerWidth")).intValue()).isLessThanOrEqualTo(0);
        browser.screenshot("jobs-narrow");
        browser.js("document.activeElement.blur()");
        var body = browser.driver.findElement(By.tagName("body"));
        body.sendKeys(org.openqa.selenium.Keys.TAB); // the skip link first
        body = browser.driver.switchTo().activeElement();
        assertThat(body.getText()).isEqualTo("Skip to content");
        for (int i = 0; i < 3; i++) browser.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
        var focused = browser.driver.switchTo().activeElement();
        assertThat(focused.getAttribute("data-testid")).isEqualTo("nav-run");
        assertThat(browser.js("return getComputedStyle(document.activeElement).outlineStyle")).isNotEqualTo("none");
        focused.sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.await("spec-editor");
        assertThat(browser.driver.getCurrentUrl()).endsWith("/ui/run");
        assertThat(browser.js("return document.activeElement.tagName")).isEqualTo("H1");
        // every form control on the Run page has a name a screen reader can say
        assertThat(browser.js("return [...document.querySelectorAll('main textarea, main input, main select')]"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length")).isEqualTo(0L);
    }

    @Test
    @Order(7)
    @DisplayName("the page's pure parts: error paths to lines in YAML and JSON, the jobs filter and sort, an allocation's timeline")
    void pureScriptsInTheBrowser() throws Exception {
        browser.open("/ui/jobs");
        token.give(secret);
        browser.await("jobs-table");
        @SuppressWarnings("unchecked")
        var r = (java.util.Map<String, Object>) ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Promise.all([import('/ui/lib/paths.js'), import('/ui/pages/jobs.js'), import('/ui/pages/allocation.js')]).then(([p, j, a]) => {
                  const yaml = 'name: x\\ngroups:\\n  - name: a\\n    count: 1\\n  - name: b\\n    tasks:\\n      - image: one\\n      - image: two\\n        resources:\\n          cpu: lots\\n';
                  const json = '{\\n "name": "x",\\n "groups": [{\\n   "count": -1\\n }]\\n}';
                  const jobs = [{id: 'b-1', name: 'b', type: 'batch', status: 'running', priority: 50, submittedAt: '2026-01-02'},
                                {id: 'a-1', name: 'a', type: 'service', status: 'complete', priority: 70, submittedAt: '2026-01-01'},
                                {id: 'c-1', name: 'c', type: 'batch', status: 'failed', priority: 10, submittedAt: '2026-01-03'}];
                  done({
                    name: p.lineOf(yaml, 'name'), count: p.lineOf(yaml, 'groups[0].count'), secondGroup: p.lineOf(yaml, 'groups[1].name'),
                    cpu: p.lineOf(yaml, 'groups[1].tasks[1].resources.cpu'), secondImage: p.lineOf(yaml, 'groups[1].tasks[1].image'),
                    unknown: p.lineOf(yaml, 'groups[5].name'), jsonCount: p.lineOf(json, 'groups[0].count'),
                    newest: j.view(jobs, {}).map(x => x.id).join(), byPriority: j.view(jobs, {sort: 'priority', dir: 'asc'}).map(x => x.id).join(),
                    batchOnly: j.view(jobs, {type: 'batch', q: 'C'}).map(x => x.id).join(),
                    steps: a.timeline({createdAt: 't0', nodeId: 'n1', startedAt: 't1', finishedAt: 't2', status: 'failed', reason: 'exited with code 3'})
                      .map(s => s[0] + ':' + s[2]).join('|'),
                  });
                }, e => done({error: String(e)}));
                """);
        assertThat(r).doesNotContainKey("error");
        assertThat(r).containsEntry("name", 1L).containsEntry("count", 4L).containsEntry("secondGroup", 5L)
                .containsEntry("cpu", 10L).containsEntry("secondImage", 8L).containsEntry("jsonCount", 4L)
                .containsEntry("newest", "c-1,b-1,a-1").containsEntry("byPriority", "c-1,b-1,a-1").containsEntry("batchOnly", "c-1")
                .containsEntry("steps", "pending:created, waiting for a node|placed:placed on n1|running:started|failed:exited with code 3");
        assertThat(((Number) r.get("unknown")).intValue()).as("a path that is not there points at its deepest known part").isLessThan(5);
    }

    @Test
    @Order(8)
    @DisplayName("over plain HTTP: / leads to the UI, every page path is the shell, files are open with a strict policy, and /v1/events streams changes")
    void routesAndTheEventStream() throws Exception {
        var root = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/ui/");
        var page = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/ui/allocations/some-id")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/ui/app.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("script-src 'self'"));
        var etag = page.headers().firstValue("ETag").orElseThrow();
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/ui/jobs")).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(304);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/ui/missing.js")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("the files are open, the data is not").isEqualTo(401);
        var refused = call("GET", "/v1/events?topics=jobs,secrets", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(refused.body()).getJsonArray("errors").getJsonObject(0).getMap())
                .containsEntry("path", "topics").containsEntry("message", "\"secrets\" is not one of jobs, allocations, nodes, evaluations");

        var lines = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/events?topics=jobs,allocations")).header("Authorization", "Bearer " + secret).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(lines.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        var seen = new CopyOnWriteArrayList<String>();
        var reader = Thread.ofVirtual().start(() -> {
            try {
                lines.body().forEach(seen::add);
            } catch (java.io.UncheckedIOException closedAtTheEnd) {
                // the test closes the stream when it has seen enough
            }
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.stream().anyMatch(l -> l.startsWith(": watching allocation,job")));
            String id = new JsonObject(call("POST", "/v1/jobs", """
                    {"name": "streamed", "groups": [{"tasks": [{"image": "busybox", "command": ["true"]}]}]}""").body()).getString("id");
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("event: job") && seen.stream().anyMatch(l -> l.startsWith("data: {\"id\":\"" + id + "\"")));
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().anyMatch(l -> l.contains("\"jobId\":\"" + id + "\"") && l.contains("\"status\":\"complete\"")));
            assertThat(seen).as("topics keep other kinds out").noneMatch(l -> l.startsWith("event: node"));
        } finally {
            lines.body().close();
            reader.interrupt();
        }
    }

    static HttpResponse<String> call(String method, String path, String json) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + secret)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) req.header("Content-Type", "application/json");
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
