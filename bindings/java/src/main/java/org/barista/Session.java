package org.barista;

/**
 * Scores and recommends for one model. One thread at a time (with the
 * overlay attached to it, if any): give each thread its own session.
 */
public final class Session implements AutoCloseable {
  /** Precision of {@link #recommend(Request, int, int[], int[], int)}. */
  public static final int EXACT = 0;
  public static final int INT8_SHORTLIST = 1;

  private volatile long handle;
  private final Model model;

  public Session(Model model) {
    this.model = model;
    long m = model.acquire();
    try {
      this.handle = Native.sessionCreate(m);
    } catch (RuntimeException e) {
      model.release();
      throw e;
    }
  }

  private long handle() {
    long h = handle;
    if (h == 0) throw BaristaException.closed("session");
    return h;
  }

  private static long requestHandle(Request request) {
    if (request == null) throw Native.invalid("the request is null");
    return request.handle();
  }

  /** The top k items of the whole catalog, best first. */
  public Recommendation[] recommend(Request request, int k) {
    return recommend(request, k, null, null, EXACT);
  }

  /**
   * The top k items, best first. exclude: catalog indices never to return
   * (null: none); candidates: the only indices to rank (null: the whole
   * catalog); precision: EXACT or INT8_SHORTLIST.
   */
  public Recommendation[] recommend(Request request, int k, int[] exclude, int[] candidates, int precision) {
    if (k <= 0) throw Native.invalid("k must be positive");
    k = Math.min(k, model.itemCount());  // no more can come back
    int[] raw = Native.sessionRecommend(handle(), requestHandle(request), k, exclude, candidates, precision);
    int n = raw.length / 2;
    Recommendation[] out = new Recommendation[n];
    for (int i = 0; i < n; ++i) {
      int index = raw[i];
      out[i] = new Recommendation(index, index < model.itemCount() ? model.liveItemId(index) : null,
                                  Float.intBitsToFloat(raw[n + i]));
    }
    return out;
  }

  /** p(interaction) for catalog items by index. */
  public float[] score(Request request, int[] items) {
    if (items == null) throw Native.invalid("the items are null");
    return Native.sessionScore(handle(), requestHandle(request), items);
  }

  /** p(interaction) for catalog items by id. */
  public float[] score(Request request, String[] itemIds) {
    if (itemIds == null) throw Native.invalid("the items are null");
    return score(request, model.liveIndices(itemIds));
  }

  /** Scores include what the overlay learned; null detaches. */
  public void setOverlay(Overlay overlay) {
    Native.sessionSetOverlay(handle(), overlay == null ? 0 : overlay.handle());
  }

  @Override
  public synchronized void close() {
    long h = handle;
    handle = 0;
    if (h != 0) {
      Native.sessionFree(h);
      model.release();
    }
  }
}
