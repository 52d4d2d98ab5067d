package org.barista;

/**
 * On-device learning on top of a read-only model: per-customer adjustments
 * of the wide weights, and each customer's recent items, persisted to PATH
 * and PATH.journal ({@link #sync()} makes them durable). One thread at a
 * time, with the sessions it is attached to.
 */
public final class Overlay implements AutoCloseable {
  private volatile long handle;
  private final Model model;

  private Overlay(Model model, long handle) {
    this.model = model;
    this.handle = handle;
  }

  /** Opens (or creates) the overlay at path; null keeps it in memory only. */
  public static Overlay open(Model model, String path) {
    return open(model, path, 0);
  }

  /** As open(model, path) with a memory limit in bytes (0: the default, 1 MiB). */
  public static Overlay open(Model model, String path, long memoryLimit) {
    byte[] p = path == null ? null : Native.utf8(path, "the path");
    long m = model.acquire();
    try {
      return new Overlay(model, Native.overlayOpen(m, p, memoryLimit));
    } catch (RuntimeException e) {
      model.release();
      throw e;
    }
  }

  long handle() {
    long h = handle;
    if (h == 0) throw BaristaException.closed("overlay");
    return h;
  }

  private static long requestHandle(Request request) {
    if (request == null) throw Native.invalid("the request is null");
    return request.handle();
  }

  /** The request's customer took (label 1) or passed over (label 0) the item. */
  public void observe(Request request, String itemId, float label) {
    observe(request, model.liveFindItem(itemId), label, 1.0f);
  }

  public void observe(Request request, int item, float label, float weight) {
    Native.overlayObserve(handle(), requestHandle(request), item, label, weight);
  }

  /** These items were shown and taken (null: nothing) was chosen. */
  public void observeShown(Request request, String[] shown, String taken) {
    if (shown == null) throw Native.invalid("the shown items are null");
    Native.overlayObserveShown(handle(), requestHandle(request), model.liveIndices(shown),
                               taken == null ? -1 : model.liveFindItem(taken));
  }

  public void forgetUser(String userId) {
    Native.overlayForgetUser(handle(), Native.utf8(userId, "the user id"));
  }

  /** The customer's remembered items, oldest first (null for an item the catalog lacks). */
  public String[] recentItems(String userId) {
    int[] items = Native.overlayRecentItems(handle(), Native.utf8(userId, "the user id"));
    String[] out = new String[items.length];
    for (int i = 0; i < items.length; ++i) out[i] = items[i] < 0 ? null : model.liveItemId(items[i]);
    return out;
  }

  public void sync() {
    Native.overlaySync(handle());
  }

  public void compact() {
    Native.overlayCompact(handle());
  }

  /** Releases the overlay; what was not synced is not saved. */
  @Override
  public synchronized void close() {
    long h = handle;
    handle = 0;
    if (h != 0) {
      Native.overlayFree(h);
      model.release();
    }
  }
}
