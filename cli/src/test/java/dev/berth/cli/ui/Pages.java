package dev.berth.cli.ui;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Page objects: what a user does on each page, in the page's own terms; selectors are data-testid only. */
final class Pages {
    private Pages() {
    }

    /** The token dialog: shown when the API first answers 401. */
    record TokenDialog(Browser b) {
        boolean shown() {
            return !b.driver.findElements(By.cssSelector("dialog[open][data-testid=token-dialog]")).isEmpty();
        }

        void give(String secret) {
            b.waitUpTo(Duration.ofSeconds(20)).until(d -> shown());
            b.await("token-input").sendKeys(secret);
            b.await("token-submit").click();
            b.waitUpTo(Duration.ofSeconds(10)).until(d -> !shown());
        }
    }

    record JobsPage(Browser b) {
        JobsPage open(String query) {
            b.open("/ui/jobs" + query);
            b.await("jobs-table");
            return this;
        }

        List<WebElement> rows() {
            return b.driver.findElements(Browser.byTestId("job-row"));
        }

        WebElement row(String jobId) {
            return b.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("[data-testid=job-row][data-job-id=\"" + jobId + "\"]")));
        }

        void search(String text) {
            var box = b.await("jobs-filter");
            box.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), org.openqa.selenium.Keys.BACK_SPACE);
            if (!text.isEmpty()) box.sendKeys(text);
        }
    }

    record RunPage(Browser b) {
        RunPage open() {
            b.open("/ui/run");
            b.await("spec-editor");
            return this;
        }

        void write(String spec) {
            b.paste(b.await("spec-editor"), spec);
        }

        /** Types at the end of the spec, key by key, as a person would. */
        void type(String keys) {
            var editor = b.await("spec-editor");
            b.js("arguments[0].setSelectionRange(arguments[0].value.length, arguments[0].value.length)", editor);
            editor.sendKeys(keys);
        }

        String planSummary() {
            return b.await("plan-summary").getText();
        }

        List<WebElement> errors() {
            return b.driver.findElements(Browser.byTestId("spec-error"));
        }

        void run() {
            b.waitUpTo(Duration.ofSeconds(20)).until(ExpectedConditions.elementToBeClickable(Browser.byTestId("run-job"))).click();
        }
    }

    record JobPage(Browser b) {
        String status() {
            return b.await("job-status").getAttribute("data-status");
        }

        List<WebElement> allocations() {
            return b.driver.findElements(Browser.byTestId("alloc-card"));
        }

        void openFirstAllocation() {
            b.waitUpTo(Duration.ofSeconds(10)).until(d -> {
                b.await("alloc-card").findElement(By.cssSelector("a")).click();
                return true;
            });
        }
    }

    record AllocationPage(Browser b) {
        String status() {
            return b.await("alloc-status").getAttribute("data-status");
        }

        String log() {
            return b.await("log-output").getText();
        }

        void showStream(String stream) {
            b.await("log-" + stream).click();
        }

        void filter(String text) {
            b.await("log-filter").sendKeys(text);
        }
    }

    record NodesPage(Browser b) {
        NodesPage open() {
            b.open("/ui/nodes");
            b.await("node-card");
            return this;
        }

        WebElement card(String nodeId) {
            return b.driver.findElement(By.cssSelector("[data-testid=node-card][data-node-id=\"" + nodeId + "\"]"));
        }

        String status(String nodeId) {
            return card(nodeId).getAttribute("data-status");
        }

        void toggleDrain(String nodeId) {
            b.waitUpTo(Duration.ofSeconds(10)).until(d -> {
                card(nodeId).findElement(Browser.byTestId("drain-toggle")).click();
                return true;
            });
        }
    }

    record CapacityPage(Browser b) {
        CapacityPage open() {
            b.open("/ui/capacity");
            b.await("capacity-now");
            return this;
        }

        int points(String chart) {
            var figures = b.driver.findElements(Browser.byTestId(chart));
            return figures.isEmpty() ? 0 : Integer.parseInt(figures.get(0).getAttribute("data-points"));
        }

        boolean drawn(String chart) {
            return !b.driver.findElements(By.cssSelector("[data-testid=" + chart + "] canvas")).isEmpty();
        }

        int fits(String spec) {
            b.paste(b.await("fit-spec"), spec);
            b.await("fit-submit").click();
            return Integer.parseInt(b.await("fit-count").getText());
        }
    }
}
