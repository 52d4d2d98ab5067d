package org.barista;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java binding's tests, a plain main (no JUnit): every check that fails
 * is printed and the exit code is the number of failures. Arguments: the
 * barista tool (to make models and to compare with), a scratch folder.
 */
public final class BindingTest {
  private static int failures = 0;
  private static String tool;
  private static File scratch;

  private BindingTest() {}

  private static void check(boolean condition, String what) {
    if (!condition) {
      ++failures;
      System.err.println("FAILED: " + what);
    }
  }

  interface Body {
    void run() throws Exception;
  }

  private static void expect(BaristaException.Status status, String what, Body body) {
    try {
      body.run();
      check(false, what + ": no exception");
    } catch (BaristaException e) {
      check(e.status() == status, what + ": " + e.status() + " (" + e.getMessage() + "), wanted " + status);
      check(e.getMessage() != null && !e.getMessage().isEmpty(), what + ": a message");
    } catch (Exception e) {
      check(false, what + ": " + e);
    }
  }

  private static String run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(tool);
    command.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) throw new IllegalStateException("barista " + command + " failed");
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String model(String shape) throws Exception {
    String path = new File(scratch, shape + ".barista").getPath();
    run("generate", "--shape", shape, "--out", path);
    return path;
  }

  private static Request alice(Model model) {
    return new Request(model).setUser("alice").add("basket", "croissant").set("hour", 9);
  }

  public static void main(String[] args) throws Exception {
    tool = args[0];
    scratch = new File(args[1]);
    scratch.mkdirs();
    String coffee = model("coffee");
    String shapeS = model("S");

    try (Model model = Model.open(coffee); Session session = new Session(model); Request request = alice(model)) {
      check(model.itemCount() == 22, "22 items");
      check(model.name().equals("coffee-shop-demo"), "the model's name");
      check(model.userInput().equals("user_id"), "the user input");
      check(model.itemId(model.findItem("latte")).equals("latte"), "ids and indices round trip");
      model.verify();

      // The same list as the command-line tool's.
      Recommendation[] top = session.recommend(request, 5);
      String json = run("recommend", coffee, "--user", "alice", "--feature", "basket=croissant", "--feature",
                        "hour=9", "--k", "5", "--json");
      Matcher m = Pattern.compile("\"item\":\"([^\"]*)\",\"index\":(\\d+),\"score\":([0-9.eE+-]+)").matcher(json);
      int i = 0;
      while (m.find()) {
        check(i < top.length && top[i].itemId().equals(m.group(1)), "item " + i + " as the tool's");
        check(i < top.length && top[i].index() == Integer.parseInt(m.group(2)), "index " + i + " as the tool's");
        check(i < top.length && Math.abs(top[i].score() - Float.parseFloat(m.group(3))) <= 1e-6,
              "score " + i + " as the tool's");
        ++i;
      }
      check(i == 5, "the tool listed 5 items");

      // Scores by id and by index equal the list's.
      String[] ids = new String[top.length];
      int[] indices = new int[top.length];
      for (int j = 0; j < top.length; ++j) {
        ids[j] = top[j].itemId();
        indices[j] = top[j].index();
      }
      float[] byId = session.score(request, ids);
      float[] byIndex = session.score(request, indices);
      for (int j = 0; j < top.length; ++j) {
        check(byId[j] == top[j].score() && byIndex[j] == top[j].score(), "score " + j + " equals the list's");
      }
      Recommendation[] without = session.recommend(request, 3, new int[] {top[0].index()}, null, Session.EXACT);
      check(without[0].index() == top[1].index(), "exclude drops the first");
      Recommendation[] only = session.recommend(request, 5, null, new int[] {indices[3], indices[4]}, Session.EXACT);
      check(only.length == 2, "candidates limit the list");
      check(session.recommend(request, 5, null, new int[0], Session.EXACT).length == 0, "no candidates, no list");
      check(session.recommend(request, Integer.MAX_VALUE).length == 22, "k beyond the catalog: the whole catalog");
      request.clear();
      check(session.recommend(request, 3).length == 3, "an anonymous request");

      // Bad input: statuses, never a crash.
      expect(BaristaException.Status.INVALID_ARGUMENT, "NaN", () -> new Request(model).set("hour", Double.NaN));
      expect(BaristaException.Status.INVALID_ARGUMENT, "infinity",
             () -> new Request(model).set("hour", Double.POSITIVE_INFINITY));
      expect(BaristaException.Status.NOT_FOUND, "unknown input", () -> new Request(model).add("colour", "red"));
      expect(BaristaException.Status.NOT_FOUND, "unknown item", () -> model.findItem("no such drink"));
      expect(BaristaException.Status.INVALID_ARGUMENT, "index out of range",
             () -> session.score(alice(model), new int[] {22}));
      expect(BaristaException.Status.INVALID_ARGUMENT, "negative index",
             () -> session.score(alice(model), new int[] {-1}));
      expect(BaristaException.Status.INVALID_ARGUMENT, "null request", () -> session.recommend(null, 3));
      expect(BaristaException.Status.INVALID_ARGUMENT, "null items", () -> session.score(request, (int[]) null));
      expect(BaristaException.Status.INVALID_ARGUMENT, "null user", () -> new Request(model).setUser(null));
      expect(BaristaException.Status.INVALID_ARGUMENT, "k = 0", () -> session.recommend(request, 0));
      expect(BaristaException.Status.INVALID_ARGUMENT, "precision 7",
             () -> session.recommend(request, 3, null, null, 7));
      expect(BaristaException.Status.INVALID_ARGUMENT, "lone surrogate", () -> new Request(model).setUser("\udcff"));
      expect(BaristaException.Status.LIMIT_EXCEEDED, "21 basket items", () -> {
        Request r = new Request(model);
        for (int j = 0; j < 21; ++j) r.add("basket", "x" + j);
      });
      check(session.recommend(new Request(model).setUser("\u00e9l\u00e8ve \ud83d\ude00"), 3).length == 3,
            "non-ASCII ids");
    }

    // Files that are not models.
    expect(BaristaException.Status.IO_ERROR, "missing file", () -> Model.open(new File(scratch, "none").getPath()));
    File junk = new File(scratch, "junk.barista");
    Files.write(junk.toPath(), new byte[64]);
    try {
      Model.open(junk.getPath()).close();
      check(false, "a file of zeros opened");
    } catch (BaristaException e) {
      check(e.status() == BaristaException.Status.NOT_A_MODEL || e.status() == BaristaException.Status.CORRUPT_MODEL,
            "a file of zeros: " + e.status());
    }

    // On-device learning, persisted.
    String overlayPath = new File(scratch, "learned").getPath();
    new File(overlayPath).delete();
    new File(overlayPath + ".journal").delete();
    try (Model model = Model.open(coffee); Session session = new Session(model);
         Request newcomer = new Request(model).setUser("newcomer-7")) {
      float before = session.score(newcomer, new String[] {"matcha latte"})[0];
      float[] learned;
      try (Overlay overlay = Overlay.open(model, overlayPath)) {
        session.setOverlay(overlay);
        for (int i = 0; i < 5; ++i) overlay.observe(newcomer, "matcha latte", 1.0f);
        overlay.observeShown(newcomer, new String[] {"espresso", "latte"}, "latte");
        learned = session.score(newcomer, new String[] {"matcha latte", "latte"});
        check(learned[0] > before, "learning raises the item");
        overlay.sync();
      }
      session.setOverlay(null);
      check(session.score(newcomer, new String[] {"matcha latte"})[0] == before, "detached: the model's score");
      try (Overlay reopened = Overlay.open(model, overlayPath)) {
        session.setOverlay(reopened);
        check(Arrays.equals(session.score(newcomer, new String[] {"matcha latte", "latte"}), learned),
              "reopened: what was synced");
        check(reopened.recentItems("newcomer-7").length == 0, "no history input, no memory");
        reopened.forgetUser("newcomer-7");
        check(session.score(newcomer, new String[] {"matcha latte"})[0] == before, "forgotten");
        session.setOverlay(null);
      }
      try (Model other = Model.open(shapeS)) {
        expect(BaristaException.Status.WRONG_MODEL, "another model's overlay file",
               () -> Overlay.open(other, overlayPath));
        expect(BaristaException.Status.INVALID_ARGUMENT, "another model's overlay",
               () -> session.setOverlay(Overlay.open(other, null)));
        expect(BaristaException.Status.INVALID_ARGUMENT, "another model's request",
               () -> session.recommend(new Request(other).setUser("u1"), 3));
      }
    }

    // Closed objects raise; closing twice is fine; objects outlive their model.
    Model model = Model.open(coffee);
    Session session = new Session(model);
    Request request = alice(model);
    Overlay overlay = Overlay.open(model, null);
    Recommendation[] expected = session.recommend(request, 3);
    model.close();
    model.close();
    check(session.recommend(request, 3)[0].itemId().equals(expected[0].itemId()), "a session outlives its model");
    expect(BaristaException.Status.INVALID_ARGUMENT, "closed model", () -> new Session(model));
    expect(BaristaException.Status.INVALID_ARGUMENT, "closed model", () -> model.findItem("latte"));
    session.close();
    expect(BaristaException.Status.INVALID_ARGUMENT, "closed session", () -> session.recommend(request, 3));
    request.close();
    expect(BaristaException.Status.INVALID_ARGUMENT, "closed request", () -> request.setUser("x"));
    overlay.close();
    expect(BaristaException.Status.INVALID_ARGUMENT, "closed overlay", overlay::sync);

    // Threads with their own sessions get the single thread's lists.
    try (Model s = Model.open(shapeS)) {
      final int n = 40;
      final String[][] serial = new String[n][];
      try (Session one = new Session(s); Request r = new Request(s)) {
        for (int i = 0; i < n; ++i) serial[i] = ids(one.recommend(r.clear().setUser("u" + i), 10));
      }
      final String[][] parallel = new String[n][];
      Thread[] threads = new Thread[2];
      for (int t = 0; t < 2; ++t) {
        final int first = t;
        threads[t] = new Thread(() -> {
          try (Session mine = new Session(s); Request r = new Request(s)) {
            for (int i = first; i < n; i += 2) parallel[i] = ids(mine.recommend(r.clear().setUser("u" + i), 10));
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) t.join();
      check(Arrays.deepEquals(serial, parallel), "two threads, the serial lists");
    }

    System.out.println(failures == 0 ? "all checks passed" : failures + " checks failed");
    System.exit(failures == 0 ? 0 : 1);
  }

  private static String[] ids(Recommendation[] list) {
    String[] out = new String[list.length];
    for (int i = 0; i < list.length; ++i) out[i] = list[i].itemId();
    return out;
  }
}
