package org.barista;

import java.util.Arrays;

/**
 * Recommend top-10 through the binding, per call: the request rebuilt for
 * each customer, as a host does. Prints the median and mean microseconds of
 * `rounds` rounds of `calls` calls; bindings/bench/overhead.sh compares
 * them with the C API doing the same, alternating, in one run.
 * Arguments: MODEL [calls] [rounds].
 */
public final class BindingBench {
  private BindingBench() {}

  public static void main(String[] args) {
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    try (Model model = Model.open(args[0]); Session session = new Session(model); Request request = new Request(model)) {
      long checksum = 0;
      for (int i = 0; i < calls; ++i) checksum += session.recommend(request.clear().setUser("u" + (i % 1000)), 10).length;
      double[] perCall = new double[rounds];
      for (int r = 0; r < rounds; ++r) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; ++i) {
          checksum += session.recommend(request.clear().setUser("u" + (i % 1000)), 10)[0].index();
        }
        perCall[r] = (System.nanoTime() - t0) / 1e3 / calls;
      }
      Arrays.sort(perCall);
      System.out.printf("{\"binding\": \"java\", \"us_per_call_median\": %.3f, \"us_per_call_min\": %.3f, \"checksum\": %d}%n",
                        perCall[rounds / 2], perCall[0], checksum);
    }
  }
}
