package org.barista;

/**
 * A customer and their context: the user id (customers the model has never
 * seen take the cold-start path), categorical values (a basket's items) and
 * numbers (the hour). One thread at a time; reuse it with {@link #clear()}.
 */
public final class Request implements AutoCloseable {
  private volatile long handle;
  final Model model;

  public Request(Model model) {
    this.model = model;
    long m = model.acquire();
    try {
      this.handle = Native.requestCreate(m);
    } catch (RuntimeException e) {
      model.release();
      throw e;
    }
  }

  long handle() {
    long h = handle;
    if (h == 0) throw BaristaException.closed("request");
    return h;
  }

  public Request setUser(String userId) {
    Native.requestSetUser(handle(), Native.utf8(userId, "the user id"));
    return this;
  }

  /** Adds a categorical value (multi-valent inputs collect values). */
  public Request add(String input, String value) {
    Native.requestAddString(handle(), Native.utf8(input, "the input name"), Native.utf8(value, "the value"));
    return this;
  }

  /** Adds an integer categorical value (its decimal form). */
  public Request add(String input, long value) {
    Native.requestAddLong(handle(), Native.utf8(input, "the input name"), value);
    return this;
  }

  /** Sets a numeric input; NaN and infinities are refused. */
  public Request set(String input, double value) {
    Native.requestSetNumber(handle(), Native.utf8(input, "the input name"), value);
    return this;
  }

  public Request clear() {
    Native.requestClear(handle());
    return this;
  }

  @Override
  public synchronized void close() {
    long h = handle;
    handle = 0;
    if (h != 0) {
      Native.requestFree(h);
      model.release();
    }
  }
}
