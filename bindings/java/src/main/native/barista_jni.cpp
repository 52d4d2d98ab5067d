// libbarista_jni: the native methods of org.barista.Native, over the C API
// (include/barista.h). Handles travel to Java as jlong; strings arrive as
// UTF-8 byte arrays (Java encodes them strictly, so no modified UTF-8 and
// no lone surrogates reach the library). A failing call throws
// org.barista.BaristaException(code, message) and returns a dummy value.
// No state but the exception class and its constructor, looked up once in
// JNI_OnLoad (a global reference, as JNI requires to keep a class).
#include <jni.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "barista.h"

namespace {

jclass g_exception = nullptr;
jmethodID g_exception_init = nullptr;

void throw_status(JNIEnv* env, barista_status code, const char* message) {
  if (env->ExceptionCheck()) return;  // one already pending (e.g. an OutOfMemoryError)
  jstring text = env->NewStringUTF(message && *message ? message : barista_status_describe(code));
  if (text == nullptr) return;
  jobject exception = env->NewObject(g_exception, g_exception_init, static_cast<jint>(code), text);
  if (exception != nullptr) env->Throw(static_cast<jthrowable>(exception));
}

// A Java byte[] as a string (not NUL-terminated; the C API takes lengths).
class Bytes {
 public:
  Bytes(JNIEnv* env, jbyteArray array) {
    if (array == nullptr) return;
    const jsize n = env->GetArrayLength(array);
    text_.resize(static_cast<size_t>(n));
    env->GetByteArrayRegion(array, 0, n, reinterpret_cast<jbyte*>(&text_[0]));
  }
  const char* data() const { return text_.data(); }
  size_t size() const { return text_.size(); }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

std::vector<uint32_t> indices(JNIEnv* env, jintArray array) {
  std::vector<uint32_t> out;
  if (array == nullptr) return out;
  const jsize n = env->GetArrayLength(array);
  out.resize(static_cast<size_t>(n));
  env->GetIntArrayRegion(array, 0, n, reinterpret_cast<jint*>(out.data()));
  return out;
}

template <class T>
T* handle(jlong h) {
  return reinterpret_cast<T*>(static_cast<intptr_t>(h));
}

jlong to_java(const void* p) { return static_cast<jlong>(reinterpret_cast<intptr_t>(p)); }

bool ok(JNIEnv* env, barista_status code, const char* message) {
  if (code == BARISTA_STATUS_OK) return true;
  throw_status(env, code, message);
  return false;
}

jstring utf(JNIEnv* env, const char* s) { return env->NewStringUTF(s ? s : ""); }

// Runs a native method's body; memory that cannot be allocated (a huge
// array from Java) becomes BaristaException OUT_OF_MEMORY instead of a C++
// exception crossing into the JVM.
template <class R, class Body>
R guarded(JNIEnv* env, R fallback, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    throw_status(env, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
    return fallback;
  } catch (const std::length_error&) {
    throw_status(env, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
    return fallback;
  }
}

template <class Body>
void guarded(JNIEnv* env, Body&& body) {
  guarded(env, 0, [&] {
    body();
    return 0;
  });
}

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_6) != JNI_OK) return JNI_ERR;
  jclass local = env->FindClass("org/barista/BaristaException");
  if (local == nullptr) return JNI_ERR;
  g_exception = static_cast<jclass>(env->NewGlobalRef(local));
  g_exception_init = env->GetMethodID(g_exception, "<init>", "(ILjava/lang/String;)V");
  return g_exception_init ? JNI_VERSION_1_6 : JNI_ERR;
}

// ---------------------------------------------------------------- models

JNIEXPORT jlong JNICALL Java_org_barista_Native_modelOpen(JNIEnv* env, jclass, jbyteArray path, jint flags) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    const Bytes p(env, path);
    barista_open_params params = barista_open_default_params();
    params.flags = static_cast<uint32_t>(flags);
    barista_model* model = nullptr;
    barista_error error{};
    return ok(env, barista_model_open_file(p.str().c_str(), &params, &model, &error), error.message) ? to_java(model)
                                                                                                     : 0;
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_modelFree(JNIEnv*, jclass, jlong model) {
  barista_model_free(handle<barista_model>(model));
}

JNIEXPORT void JNICALL Java_org_barista_Native_modelVerify(JNIEnv* env, jclass, jlong model) {
  guarded(env, [&] {
    barista_error error{};
    ok(env, barista_model_verify(handle<barista_model>(model), &error), error.message);
  });
}

JNIEXPORT jlongArray JNICALL Java_org_barista_Native_modelInfo(JNIEnv* env, jclass, jlong model) {
  return guarded(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    barista_model_info info{};
    if (!ok(env, barista_model_get_info(handle<barista_model>(model), &info), "invalid model handle")) return nullptr;
    const jlong values[] = {static_cast<jlong>(info.item_count), static_cast<jlong>(info.input_count),
                            static_cast<jlong>(info.format_major), static_cast<jlong>(info.format_minor),
                            static_cast<jlong>(info.file_size)};
    jlongArray out = env->NewLongArray(5);
    if (out != nullptr) env->SetLongArrayRegion(out, 0, 5, values);
    return out;
  });
}

JNIEXPORT jobjectArray JNICALL Java_org_barista_Native_modelStrings(JNIEnv* env, jclass, jlong model) {
  return guarded(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    barista_model_info info{};
    barista_model* m = handle<barista_model>(model);
    if (!ok(env, barista_model_get_info(m, &info), "invalid model handle")) return nullptr;
    const char* values[] = {info.name,     info.version, info.description,
                            info.producer, info.kernels, barista_model_user_input(m)};
    jobjectArray out = env->NewObjectArray(6, env->FindClass("java/lang/String"), nullptr);
    for (jsize i = 0; out != nullptr && i < 6; ++i) env->SetObjectArrayElement(out, i, utf(env, values[i]));
    return out;
  });
}

JNIEXPORT jint JNICALL Java_org_barista_Native_modelFindItem(JNIEnv* env, jclass, jlong model, jbyteArray id) {
  return guarded(env, jint{-1}, [&]() -> jint {
    const Bytes text(env, id);
    uint32_t index = 0;
    const barista_status code = barista_model_find_item(handle<barista_model>(model), text.data(), text.size(), &index);
    const std::string message = "no item '" + text.str() + "' in the catalog";
    return ok(env, code, code == BARISTA_STATUS_NOT_FOUND ? message.c_str() : nullptr) ? static_cast<jint>(index) : -1;
  });
}

JNIEXPORT jbyteArray JNICALL Java_org_barista_Native_modelItemId(JNIEnv* env, jclass, jlong model, jint index) {
  return guarded(env, static_cast<jbyteArray>(nullptr), [&]() -> jbyteArray {
    barista_model* m = handle<barista_model>(model);
    size_t length = 0;
    barista_status code = barista_model_get_item_id(m, static_cast<uint32_t>(index), nullptr, 0, &length);
    if (code != BARISTA_STATUS_BUFFER_TOO_SMALL) {
      ok(env, code == BARISTA_STATUS_OK ? BARISTA_STATUS_INTERNAL : code, "item index out of range");
      return nullptr;
    }
    std::string id(length + 1, '\0');
    code = barista_model_get_item_id(m, static_cast<uint32_t>(index), &id[0], id.size(), &length);
    if (!ok(env, code, "reading an item id failed")) return nullptr;
    jbyteArray out = env->NewByteArray(static_cast<jsize>(length));
    if (out != nullptr)
      env->SetByteArrayRegion(out, 0, static_cast<jsize>(length), reinterpret_cast<const jbyte*>(id.data()));
    return out;
  });
}

// ---------------------------------------------------------------- requests

JNIEXPORT jlong JNICALL Java_org_barista_Native_requestCreate(JNIEnv* env, jclass, jlong model) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    barista_request* request = nullptr;
    return ok(env, barista_request_create(handle<barista_model>(model), &request), "creating a request failed")
               ? to_java(request)
               : 0;
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_requestFree(JNIEnv*, jclass, jlong request) {
  barista_request_free(handle<barista_request>(request));
}

JNIEXPORT void JNICALL Java_org_barista_Native_requestClear(JNIEnv* env, jclass, jlong request) {
  guarded(env, [&] {
    barista_request* r = handle<barista_request>(request);
    ok(env, barista_request_clear(r), barista_request_last_error(r));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_requestSetUser(JNIEnv* env, jclass, jlong request, jbyteArray user) {
  guarded(env, [&] {
    barista_request* r = handle<barista_request>(request);
    const Bytes id(env, user);
    ok(env, barista_request_set_user(r, id.data(), id.size()), barista_request_last_error(r));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_requestAddString(JNIEnv* env, jclass, jlong request, jbyteArray input,
                                                                jbyteArray value) {
  guarded(env, [&] {
    barista_request* r = handle<barista_request>(request);
    const Bytes name(env, input), text(env, value);
    ok(env, barista_request_add_string(r, name.str().c_str(), text.data(), text.size()), barista_request_last_error(r));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_requestAddLong(JNIEnv* env, jclass, jlong request, jbyteArray input,
                                                              jlong value) {
  guarded(env, [&] {
    barista_request* r = handle<barista_request>(request);
    const Bytes name(env, input);
    ok(env, barista_request_add_int64(r, name.str().c_str(), value), barista_request_last_error(r));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_requestSetNumber(JNIEnv* env, jclass, jlong request, jbyteArray input,
                                                                jdouble value) {
  guarded(env, [&] {
    barista_request* r = handle<barista_request>(request);
    const Bytes name(env, input);
    ok(env, barista_request_set_number(r, name.str().c_str(), value), barista_request_last_error(r));
  });
}

// ---------------------------------------------------------------- sessions

JNIEXPORT jlong JNICALL Java_org_barista_Native_sessionCreate(JNIEnv* env, jclass, jlong model) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    barista_session* session = nullptr;
    return ok(env, barista_session_create(handle<barista_model>(model), &session), "creating a session failed")
               ? to_java(session)
               : 0;
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_sessionFree(JNIEnv*, jclass, jlong session) {
  barista_session_free(handle<barista_session>(session));
}

JNIEXPORT jintArray JNICALL Java_org_barista_Native_sessionRecommend(JNIEnv* env, jclass, jlong session, jlong request,
                                                                     jint k, jintArray exclude, jintArray candidates,
                                                                     jint precision) {
  return guarded(env, static_cast<jintArray>(nullptr), [&]() -> jintArray {
    barista_session* s = handle<barista_session>(session);
    const std::vector<uint32_t> excluded = indices(env, exclude), allowed = indices(env, candidates);
    barista_recommend_params params = barista_recommend_default_params();
    params.k = static_cast<size_t>(k);
    params.exclude = excluded.data();
    params.exclude_count = excluded.size();
    static const uint32_t kNone = 0;  // a non-NULL pointer for an empty candidate list
    if (candidates != nullptr) {
      params.candidates = allowed.empty() ? &kNone : allowed.data();
      params.candidate_count = allowed.size();
    }
    params.precision = static_cast<uint32_t>(precision);
    // Session.recommend passes k <= the catalog's size (no more can come back).
    barista_recommendation stack[64];
    std::vector<barista_recommendation> heap;
    barista_recommendation* top = stack;
    if (params.k > 64) {
      heap.resize(params.k);
      top = heap.data();
    }
    size_t count = 0;
    if (!ok(env, barista_session_recommend(s, handle<barista_request>(request), &params, top, params.k, &count),
            barista_session_last_error(s))) {
      return nullptr;
    }
    // Items, then the scores' bits: one array, one copy back to Java.
    std::vector<jint> packed(2 * count);
    for (size_t i = 0; i < count; ++i) {
      packed[i] = static_cast<jint>(top[i].item);
      static_assert(sizeof(float) == sizeof(jint), "float bits in an int");
      std::memcpy(&packed[count + i], &top[i].score, sizeof(float));
    }
    jintArray out = env->NewIntArray(static_cast<jsize>(packed.size()));
    if (out != nullptr) env->SetIntArrayRegion(out, 0, static_cast<jsize>(packed.size()), packed.data());
    return out;
  });
}

JNIEXPORT jfloatArray JNICALL Java_org_barista_Native_sessionScore(JNIEnv* env, jclass, jlong session, jlong request,
                                                                   jintArray items) {
  return guarded(env, static_cast<jfloatArray>(nullptr), [&]() -> jfloatArray {
    barista_session* s = handle<barista_session>(session);
    const std::vector<uint32_t> list = indices(env, items);
    std::vector<float> scores(list.size());
    if (!ok(env,
            barista_session_score(s, handle<barista_request>(request), list.data(), list.size(), scores.data(),
                                  scores.size()),
            barista_session_last_error(s))) {
      return nullptr;
    }
    jfloatArray out = env->NewFloatArray(static_cast<jsize>(scores.size()));
    if (out != nullptr) env->SetFloatArrayRegion(out, 0, static_cast<jsize>(scores.size()), scores.data());
    return out;
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_sessionSetOverlay(JNIEnv* env, jclass, jlong session, jlong overlay) {
  guarded(env, [&] {
    barista_session* s = handle<barista_session>(session);
    ok(env, barista_session_set_overlay(s, handle<barista_overlay>(overlay)), barista_session_last_error(s));
  });
}

// ---------------------------------------------------------------- overlays

JNIEXPORT jlong JNICALL Java_org_barista_Native_overlayOpen(JNIEnv* env, jclass, jlong model, jbyteArray path,
                                                            jlong memory_limit) {
  return guarded(env, jlong{0}, [&]() -> jlong {
    barista_overlay_params params = barista_overlay_default_params();
    if (memory_limit < 0) {
      throw_status(env, BARISTA_STATUS_INVALID_ARGUMENT, "the memory limit is negative");
      return 0;
    }
    if (memory_limit > 0) params.memory_limit = static_cast<size_t>(memory_limit);
    const Bytes p(env, path);
    barista_overlay* overlay = nullptr;
    barista_error error{};
    const barista_status code =
        barista_overlay_open(handle<barista_model>(model), path ? p.str().c_str() : nullptr, &params, &overlay, &error);
    return ok(env, code, error.message) ? to_java(overlay) : 0;
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_overlayFree(JNIEnv*, jclass, jlong overlay) {
  barista_overlay_free(handle<barista_overlay>(overlay));
}

JNIEXPORT void JNICALL Java_org_barista_Native_overlayObserve(JNIEnv* env, jclass, jlong overlay, jlong request,
                                                              jint item, jfloat label, jfloat weight) {
  guarded(env, [&] {
    barista_overlay* o = handle<barista_overlay>(overlay);
    ok(env, barista_overlay_observe(o, handle<barista_request>(request), static_cast<uint32_t>(item), label, weight),
       barista_overlay_last_error(o));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_overlayObserveShown(JNIEnv* env, jclass, jlong overlay, jlong request,
                                                                   jintArray shown, jint taken) {
  guarded(env, [&] {
    barista_overlay* o = handle<barista_overlay>(overlay);
    const std::vector<uint32_t> items = indices(env, shown);
    const uint32_t chosen = taken < 0 ? BARISTA_NO_ITEM : static_cast<uint32_t>(taken);
    ok(env, barista_overlay_observe_shown(o, handle<barista_request>(request), items.data(), items.size(), chosen),
       barista_overlay_last_error(o));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_overlayForgetUser(JNIEnv* env, jclass, jlong overlay, jbyteArray user) {
  guarded(env, [&] {
    barista_overlay* o = handle<barista_overlay>(overlay);
    const Bytes id(env, user);
    ok(env, barista_overlay_forget_user(o, id.data(), id.size()), barista_overlay_last_error(o));
  });
}

JNIEXPORT jintArray JNICALL Java_org_barista_Native_overlayRecentItems(JNIEnv* env, jclass, jlong overlay,
                                                                       jbyteArray user) {
  return guarded(env, static_cast<jintArray>(nullptr), [&]() -> jintArray {
    const barista_overlay* o = handle<barista_overlay>(overlay);
    const Bytes id(env, user);
    size_t count = 0;
    barista_status code = barista_overlay_recent_items(o, id.data(), id.size(), nullptr, 0, &count);
    std::vector<uint32_t> items(count);
    if (code == BARISTA_STATUS_BUFFER_TOO_SMALL) {
      code = barista_overlay_recent_items(o, id.data(), id.size(), items.data(), items.size(), &count);
    }
    if (!ok(env, code, barista_overlay_last_error(o))) return nullptr;
    std::vector<jint> out_items(count);
    for (size_t i = 0; i < count; ++i) out_items[i] = items[i] == BARISTA_NO_ITEM ? -1 : static_cast<jint>(items[i]);
    jintArray out = env->NewIntArray(static_cast<jsize>(count));
    if (out != nullptr) env->SetIntArrayRegion(out, 0, static_cast<jsize>(count), out_items.data());
    return out;
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_overlaySync(JNIEnv* env, jclass, jlong overlay) {
  guarded(env, [&] {
    barista_overlay* o = handle<barista_overlay>(overlay);
    ok(env, barista_overlay_sync(o), barista_overlay_last_error(o));
  });
}

JNIEXPORT void JNICALL Java_org_barista_Native_overlayCompact(JNIEnv* env, jclass, jlong overlay) {
  guarded(env, [&] {
    barista_overlay* o = handle<barista_overlay>(overlay);
    ok(env, barista_overlay_compact(o), barista_overlay_last_error(o));
  });
}

}  // extern "C"
