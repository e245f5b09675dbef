// Load generator for `lrp serve` (run by docs/serve-load.sh; plain JDK, no dependencies):
// N clients on this machine, each posting /api/explain in a loop for a fixed time, then one JSON
// object with requests/s, latency percentiles and errors on standard output.
//   java docs/ServeLoad.java PORT [clients=50] [seconds=120] [warmup_seconds=10]
// Only ever sends to 127.0.0.1; the loop stops by itself after the given time.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public class ServeLoad {
    // SST-2-like sentences of 4 to 30 words; each client walks the list from its own offset
    static final String[] TEXTS = {
        "the film is a charming, funny delight",
        "a dull, lifeless and overlong mess",
        "an unforgettable, heartbreaking masterpiece",
        "not bad at all",
        "the plot makes no sense and the acting is wooden, but the score is lovely and the photography often stunning",
        "it is the kind of movie that you forget while you are still watching it",
        "a gorgeous, witty, seductive movie",
        "the director's attempt at profundity collapses under its own weight long before the final reel",
        "funny, touching and smart",
        "i wanted to like this more than i did, but the second half drags and the jokes land with a thud every time",
    };

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 120;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/explain");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        long t0 = System.nanoTime();
        long measureFrom = t0 + warmup * 1_000_000_000L, end = measureFrom + seconds * 1_000_000_000L;
        List<long[]> perClient = new ArrayList<>();
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] lat = new long[200_000];
            perClient.add(lat);
            int id = c;
            Thread t = new Thread(() -> {
                int n = 0;
                for (int i = id; System.nanoTime() < end; i++) {
                    String body = "{\"text\": \"" + TEXTS[i % TEXTS.length] + "\", \"model\": \"minilm-sst2\", \"methods\": [\"lrp-ah-ln\", \"gi\"]}";
                    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
                    long s = System.nanoTime();
                    String err = null;
                    try {
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) err = "HTTP " + r.statusCode();
                        else if (!r.body().startsWith("{\"results\":[{")) err = "unexpected body";
                    } catch (Exception e) {
                        err = e.getClass().getSimpleName();
                    }
                    long f = System.nanoTime();
                    if (s < measureFrom || f > end) continue; // warm-up, or finished after the window
                    if (err != null) {
                        errors.computeIfAbsent(err, k -> new AtomicLong()).incrementAndGet();
                    } else {
                        ok.incrementAndGet();
                        if (n < lat.length) lat[n++] = f - s;
                    }
                }
                lat[lat.length - 1] = n; // count in the last slot
            }, "client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        List<Long> all = new ArrayList<>();
        for (long[] lat : perClient) {
            int n = (int) lat[lat.length - 1];
            for (int i = 0; i < n; i++) all.add(lat[i]);
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        long errs = errors.values().stream().mapToLong(AtomicLong::get).sum();
        Map<String, Long> errMap = new TreeMap<>();
        errors.forEach((k, v) -> errMap.put(k, v.get()));
        System.out.println(String.format(Locale.ROOT,
                "{\"clients\":%d,\"seconds\":%d,\"warmup_seconds\":%d,\"requests_ok\":%d,\"errors\":%d,\"error_kinds\":\"%s\","
                        + "\"requests_per_s\":%.2f,\"p50_ms\":%.1f,\"p95_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,\"mean_ms\":%.1f}",
                clients, seconds, warmup, ok.get(), errs, errMap, ok.get() / (double) seconds,
                pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6));
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1; // nearest rank
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
