package dev.berth.scheduler.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UiAssetsTest {
    final UiAssets assets = new UiAssets(UiAssetsTest.class.getClassLoader());

    @Test
    @DisplayName("the page shell, the scripts and uPlot come from the classpath with their media types")
    void findsTheUiAndItsWebJar() {
        assertThat(new String(assets.shell().bytes(), StandardCharsets.UTF_8)).contains("<script type=\"module\" src=\"/ui/app.js\">");
        assertThat(assets.find("pages/run.js")).hasValueSatisfying(a -> assertThat(a.contentType()).startsWith("text/javascript"));
        assertThat(assets.find("style.css")).hasValueSatisfying(a -> assertThat(a.contentType()).startsWith("text/css"));
        assertThat(assets.find("vendor/uplot/uPlot.esm.js")).hasValueSatisfying(a -> assertThat(a.bytes().length).isGreaterThan(100_000));
        assertThat(assets.find("app.js").orElseThrow().etag()).matches("\"[0-9a-f]{24}\"");
    }

    @Test
    @DisplayName("no path reaches beyond the UI's folders, and only known file types are served")
    void refusesPathsOutsideTheUi() {
        assertThat(assets.find("../berth-ui/index.html")).isEmpty();
        assertThat(assets.find("vendor/uplot/../../../../META-INF/MANIFEST.MF")).isEmpty();
        assertThat(assets.find("/etc/passwd")).isEmpty();
        assertThat(assets.find("pages//run.js")).isEmpty();
        assertThat(assets.find(".hidden.js")).isEmpty();
        assertThat(assets.find("pages/run.class")).isEmpty();
        assertThat(assets.find("nothing-here.js")).isEmpty();
        assertThat(UiAssets.safe("lib/dom.js")).isTrue();
        assertThat(UiAssets.safe("lib/a..b.js")).isFalse();
    }
}
