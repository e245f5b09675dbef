package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The --generate HTML page in headless Chromium: one step shows at a time, and clicking a
 * generated token shows its step and hides the others. Needs chromium and chromium-driver, as
 * ServePageBrowserTest (missing under CI it fails; elsewhere it is skipped with the reason).
 */
class DecoderHtmlBrowserTest {

    @TempDir Path tmp;

    @Test
    void pickingAGeneratedTokenShowsItsStep() throws Exception {
        String chromium = System.getProperty("lrp.test.chromium", "/usr/bin/chromium");
        String driverPath = System.getProperty("lrp.test.chromedriver", "/usr/bin/chromedriver");
        if (!new File(chromium).canExecute() || !new File(driverPath).canExecute()) {
            String why = "headless Chromium not found (" + chromium + ", " + driverPath + "): apt-get install -y chromium chromium-driver";
            if ("true".equals(System.getenv("CI"))) fail(why + " (.ci/run installs them)");
            Assumptions.abort(why);
        }
        Path html = tmp.resolve("gen.html");
        CliRunner.Result r = CliRunner.run("explain", "--model", DecoderCliTest.dir("llama_small"), "--format", "html",
                "--generate", "3", "--out", html.toString(), "Hello, World!");
        assertEquals(0, r.code(), r.err());

        ChromeOptions o = new ChromeOptions();
        o.setBinary(chromium);
        Path profile = Files.createDirectories(tmp.resolve("profile"));
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync",
                "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driverPath)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, o);
        try {
            driver.get(html.toUri().toString());
            List<WebElement> buttons = driver.findElements(By.cssSelector("button.pick"));
            List<WebElement> steps = driver.findElements(By.cssSelector("section.step"));
            assertEquals(3, buttons.size());
            assertEquals(3, steps.size());
            assertEquals(List.of(true, false, false), steps.stream().map(WebElement::isDisplayed).toList(), "the first step at first");
            assertEquals("true", buttons.get(0).getAttribute("aria-pressed"));
            buttons.get(2).click();
            assertEquals(List.of(false, false, true), steps.stream().map(WebElement::isDisplayed).toList());
            assertEquals("true", buttons.get(2).getAttribute("aria-pressed"));
            assertEquals("false", buttons.get(0).getAttribute("aria-pressed"));
            WebElement shown = steps.get(2);
            assertTrue(shown.findElement(By.tagName("h3")).getText().startsWith("Step 3 of 3"), shown.getText());
            assertFalse(shown.findElements(By.cssSelector("div.heat span.t.gen")).isEmpty(), "earlier generated tokens are marked");
            buttons.get(1).click();
            assertEquals(List.of(false, true, false), steps.stream().map(WebElement::isDisplayed).toList());
        } finally {
            driver.quit();
        }
    }
}
