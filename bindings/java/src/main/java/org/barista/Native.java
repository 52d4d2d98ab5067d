package org.barista;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The native methods (libbarista_jni, over the C API) and what every class
 * needs around them. The library is loaded from the file named by the
 * system property barista.library when it is set, else by name from
 * java.library.path (on Android: the APK's lib/ABI folder).
 */
final class Native {
  static {
    String path = System.getProperty("barista.library");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("barista_jni");
    }
  }

  private Native() {}

  /** Strict UTF-8: a string with a lone surrogate is refused, not mangled. */
  static byte[] utf8(String s, String what) {
    if (s == null) throw invalid(what + " is null");
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw invalid(what + " is not valid Unicode (a lone surrogate?)");
    }
  }

  static String string(byte[] utf8) {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  static BaristaException invalid(String message) {
    return BaristaException.invalid(message);
  }

  // Models. open returns the handle; info fills {item count, input count,
  // format major, format minor, file size}.
  static native long modelOpen(byte[] path, int flags);
  static native void modelFree(long model);
  static native void modelVerify(long model);
  static native long[] modelInfo(long model);
  static native String[] modelStrings(long model);  // name, version, description, producer, kernels, user input
  static native int modelFindItem(long model, byte[] id);
  static native byte[] modelItemId(long model, int index);

  // Requests.
  static native long requestCreate(long model);
  static native void requestFree(long request);
  static native void requestClear(long request);
  static native void requestSetUser(long request, byte[] user);
  static native void requestAddString(long request, byte[] input, byte[] value);
  static native void requestAddLong(long request, byte[] input, long value);
  static native void requestSetNumber(long request, byte[] input, double value);

  // Sessions. recommend returns {items..., scores as float bits...}: 2n ints.
  static native long sessionCreate(long model);
  static native void sessionFree(long session);
  static native int[] sessionRecommend(long session, long request, int k, int[] exclude, int[] candidates,
                                       int precision);
  static native float[] sessionScore(long session, long request, int[] items);
  static native void sessionSetOverlay(long session, long overlay);

  // Overlays.
  static native long overlayOpen(long model, byte[] path, long memoryLimit);
  static native void overlayFree(long overlay);
  static native void overlayObserve(long overlay, long request, int item, float label, float weight);
  static native void overlayObserveShown(long overlay, long request, int[] shown, int taken);
  static native void overlayForgetUser(long overlay, byte[] user);
  static native int[] overlayRecentItems(long overlay, byte[] user);
  static native void overlaySync(long overlay);
  static native void overlayCompact(long overlay);
}
