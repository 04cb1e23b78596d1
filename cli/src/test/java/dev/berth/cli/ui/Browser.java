package dev.berth.cli.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, driven through Debian's chromedriver (never one that Selenium Manager would
 * download), headless, with its profile in a dir the test owns and removes. Also the few things every
 * page object needs: explicit waits, data-testid lookups, screenshots under target/.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

    final WebDriver driver;
    final String base;
    private final Path profile;

    Browser(String base, Path profile) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("the web UI tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + DRIVER
                    + "): ./berth test installs them; or apt-get install chromium chromium-driver");
        }
        this.base = base;
        this.profile = profile;
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        var options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
                        "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--lang=en-GB", "--force-prefers-reduced-motion");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebDriverWait waitUpTo(Duration d) {
        // the pages redraw themselves live: an element found a moment ago may have been replaced
        var wait = new WebDriverWait(driver, d, Duration.ofMillis(100));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    WebElement await(String testid) {
        return waitUpTo(Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(byTestId(testid)));
    }

    static By byTestId(String testid) {
        return By.cssSelector("[data-testid=\"" + testid + "\"]");
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Sets a textarea's text at once, as a paste would, and tells the page it changed. */
    void paste(WebElement area, String text) {
        js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", area, text);
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }

    Path profile() {
        return profile;
    }
}
