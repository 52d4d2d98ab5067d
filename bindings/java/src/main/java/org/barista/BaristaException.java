package org.barista;

/**
 * A failure barista reported: its status (the C API's barista_status) and
 * the library's message.
 */
public class BaristaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The C API's status numbers (include/barista.h), by name. */
  public enum Status {
    OK, INVALID_ARGUMENT, NOT_FOUND, IO_ERROR, NOT_A_MODEL, UNSUPPORTED_VERSION, CORRUPT_MODEL, LIMIT_EXCEEDED,
    OUT_OF_MEMORY, BUFFER_TOO_SMALL, UNSUPPORTED, INTERNAL, CORRUPT_OVERLAY, WRONG_MODEL, UNKNOWN;

    static Status of(int code) {
      Status[] all = values();
      return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
    }
  }

  private final int code;

  /** Called from native code. */
  public BaristaException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The status number, as the C API returns it. */
  public int code() {
    return code;
  }

  public Status status() {
    return Status.of(code);
  }

  static BaristaException closed(String what) {
    return new BaristaException(Status.INVALID_ARGUMENT.ordinal(), "the " + what + " is closed");
  }

  static BaristaException invalid(String message) {
    return new BaristaException(Status.INVALID_ARGUMENT.ordinal(), message);
  }
}
