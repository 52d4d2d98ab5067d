package org.barista;

/**
 * An open model file: memory-mapped, read-only, usable from any number of
 * threads at once. Sessions, requests and overlays made from it keep it
 * alive after {@link #close()}: the file is released when the model and
 * every object made from it are closed.
 */
public final class Model implements AutoCloseable {
  /** Flags of {@link #open(String, int)} (barista_open_flags). */
  public static final int VERIFY_FULL = 1;
  public static final int COPY = 2;

  private final long handle;
  private boolean closed;
  private int users;  // open sessions, requests and overlays made from it
  private final int itemCount;
  private final String[] strings;

  private Model(long handle) {
    this.handle = handle;
    long[] info = Native.modelInfo(handle);
    this.itemCount = (int) info[0];
    this.strings = Native.modelStrings(handle);
  }

  /** Opens (maps) the model file at path. */
  public static Model open(String path) {
    return open(path, 0);
  }

  /** Opens the model file with {@link #VERIFY_FULL} and/or {@link #COPY}. */
  public static Model open(String path, int flags) {
    return new Model(Native.modelOpen(Native.utf8(path, "the path"), flags));
  }

  /** The handle, for a new object made from the model (which must call release()). */
  synchronized long acquire() {
    if (closed) throw BaristaException.closed("model");
    ++users;
    return handle;
  }

  synchronized void release() {
    if (--users == 0 && closed) Native.modelFree(handle);
  }

  /** The handle for an object made from the model: valid while that object is open. */
  long live() {
    return handle;
  }

  /** The id of catalog item index, for an object made from the model. */
  String liveItemId(int index) {
    return Native.string(Native.modelItemId(handle, index));
  }

  /** Catalog indices of item ids, for an object made from the model. */
  int[] liveIndices(String[] ids) {
    if (ids == null) return null;
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; ++i) out[i] = Native.modelFindItem(handle, Native.utf8(ids[i], "an item id"));
    return out;
  }

  int liveFindItem(String id) {
    return Native.modelFindItem(handle, Native.utf8(id, "the item id"));
  }

  /** Checks the payload checksum and that every stored number is finite. */
  public void verify() {
    acquire();
    try {
      Native.modelVerify(handle);
    } finally {
      release();
    }
  }

  public int itemCount() {
    return itemCount;
  }

  public String name() {
    return strings[0];
  }

  public String version() {
    return strings[1];
  }

  /** The kernel variant in use, e.g. "avx2" or "neon". */
  public String kernels() {
    return strings[4];
  }

  /** The name of the input holding the user id ("" when the model has none). */
  public String userInput() {
    return strings[5];
  }

  /** The catalog index of the item with this id; NOT_FOUND when there is none. */
  public int findItem(String id) {
    acquire();
    try {
      return liveFindItem(id);
    } finally {
      release();
    }
  }

  /** The id of catalog item index. */
  public String itemId(int index) {
    acquire();
    try {
      return liveItemId(index);
    } finally {
      release();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    if (users == 0) Native.modelFree(handle);
  }
}
