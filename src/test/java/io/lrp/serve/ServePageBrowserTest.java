package io.lrp.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in Debian's headless Chromium through Selenium: type a sentence, wait for the
 * heatmaps, and check the words and the prediction shown against the API's answer for the same
 * request. Screenshots go to target/serve-screenshots (docs/screenshots.sh copies them to docs/img).
 * Needs the packages chromium and chromium-driver (.ci/run installs them): missing under CI it
 * fails; elsewhere it is skipped with the reason.
 */
class ServePageBrowserTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String CHROMIUM = System.getProperty("lrp.test.chromium", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("lrp.test.chromedriver", "/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "serve-screenshots");
    static LrpServer server;
    static ChromeDriver driver;
    static Path profile;

    @BeforeAll static void up() throws Exception {
        boolean present = new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute();
        if (!present) {
            String why = "headless Chromium not found (" + CHROMIUM + ", " + DRIVER + "): apt-get install -y chromium chromium-driver";
            if ("true".equals(System.getenv("CI"))) fail(why + " (.ci/run installs them)");
            Assumptions.abort(why);
        }
        server = ServerFixture.start(ServerFixture.config());
        profile = Files.createTempDirectory("lrp-chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1100,1400");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        Files.createDirectories(SHOTS);
    }

    @AfterAll static void down() throws Exception {
        if (driver != null) driver.quit();
        if (server != null) server.close();
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test void typedSentenceShowsTheApisWordsAndPrediction() throws Exception {
        String text = "an unforgettable, heartbreaking masterpiece";
        driver.get("http://127.0.0.1:" + server.port() + "/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(120));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "1"));
        WebElement box = driver.findElement(By.id("text"));
        box.clear();
        box.sendKeys(text);
        new Select(driver.findElement(By.id("model"))).selectByValue("minilm-sst2");
        for (String m : List.of("lrp-ah-ln", "gi", "rollout")) {
            WebElement c = driver.findElement(By.id("m-" + m));
            if (!c.isSelected()) c.click();
        }
        driver.findElement(By.id("go")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-done", "1"));

        JsonNode api = M.readTree(ServerFixture.post(server, "/api/explain",
                "{\"text\": \"" + text + "\", \"model\": \"minilm-sst2\", \"methods\": [\"gi\", \"lrp-ah-ln\", \"rollout\"], \"view\": \"words\"}").body());
        JsonNode first = api.get("results").get(0);
        int best = first.get("logits").get(0).asDouble() > first.get("logits").get(1).asDouble() ? 0 : 1;
        String label = List.of("negative", "positive").get(best);
        assertEquals(label, driver.findElement(By.id("prediction")).getText());

        List<WebElement> sections = driver.findElements(By.cssSelector("section.method"));
        assertEquals(3, sections.size());
        for (int i = 0; i < 3; i++) {
            WebElement sec = sections.get(i);
            assertEquals(api.get("results").get(i).get("method").asText(), sec.getAttribute("data-method"));
            List<WebElement> spans = sec.findElements(By.cssSelector("span.w"));
            JsonNode words = api.get("views").get(i);
            assertEquals(words.size(), spans.size());
            for (int k = 0; k < spans.size(); k++) {
                assertEquals(words.get(k).get("text").asText(), spans.get(k).getText());
                assertEquals(words.get(k).get("relevance").asDouble(), Double.parseDouble(spans.get(k).getAttribute("data-r")), 0.0);
            }
        }
        // hover shows the value
        WebElement charming = sections.get(0).findElements(By.cssSelector("span.w")).get(1);
        new Actions(driver).moveToElement(charming).perform();
        assertTrue(driver.findElement(By.id("hover")).getText().contains(api.get("views").get(0).get(1).get("relevance").asText()),
                driver.findElement(By.id("hover")).getText());
        // the token view: [CLS] ... [SEP], one span per token
        driver.findElement(By.id("view-tokens")).click();
        List<WebElement> tokens = driver.findElement(By.cssSelector("section.method")).findElements(By.cssSelector("span.w"));
        assertEquals(first.get("tokens").size(), tokens.size());
        assertEquals("[CLS]", tokens.get(0).getText());
        driver.findElement(By.id("view-words")).click();
        // the conservation bar under every method, and the curves once computed
        assertEquals(3, driver.findElements(By.cssSelector("section.method .cons svg")).size());
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-curves", "1"));
        assertEquals(3, driver.findElements(By.cssSelector("#curves polyline")).size());
        assertTrue(driver.findElement(By.id("download")).getAttribute("href").startsWith("blob:"));
        // the whole page in one picture (the README's): a window as tall as the content
        long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight;");
        driver.manage().window().setSize(new Dimension(1100, (int) Math.min(4000, height + 140)));
        shot("serve-page.png");

        // a phone-width screen: nothing wider than the viewport
        driver.manage().window().setSize(new Dimension(390, 1400));
        Thread.sleep(300); // layout after the resize (a screenshot, not an assertion, depends on it)
        long scroll = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollWidth;");
        long inner = (Long) ((JavascriptExecutor) driver).executeScript("return window.innerWidth;");
        assertTrue(scroll <= inner, "page wider than a phone screen: " + scroll + " > " + inner);
        shot("serve-phone.png");
    }

    @Test void errorsAreShownOnThePage() {
        driver.manage().window().setSize(new Dimension(1100, 900));
        driver.get("http://127.0.0.1:" + server.port() + "/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(120));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "1"));
        WebElement box = driver.findElement(By.id("text"));
        box.clear();
        box.sendKeys("   ");
        driver.findElement(By.id("go")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "empty or only whitespace"));
    }

    static void shot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
        Files.write(SHOTS.resolve(name), png);
    }
}
