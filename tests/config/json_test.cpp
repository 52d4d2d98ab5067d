#include <doctest/doctest.h>

#include "config/json.h"

using namespace barista::internal;

TEST_CASE("json: values, escapes, comments and key order") {
  json::Value v;
  const Status s = json::parse(R"({
    // a comment
    "name": "caf\u00e9 \"au\" lait",   // trailing comment
    "n": -12.5e1, "flag": true, "none": null,
    "list": [1, [2, 3], {"deep": "\ud83d\ude00"}],
    "z": {}, "a": []
  })",
                               &v);
  REQUIRE_MESSAGE(s.ok(), s.message());
  REQUIRE(v.type == json::Type::Object);
  CHECK(v.find("name")->string == "caf\xc3\xa9 \"au\" lait");
  CHECK(v.find("n")->number == -125.0);
  CHECK(v.find("flag")->boolean);
  CHECK(v.find("none")->type == json::Type::Null);
  CHECK(v.find("list")->array[2].find("deep")->string == "\xf0\x9f\x98\x80");  // a surrogate pair
  CHECK(v.find("missing") == nullptr);
  CHECK(v.object[0].first == "name");  // file order
  CHECK(v.object.back().first == "a");
  CHECK(v.find("n")->line == 4);
  CHECK(json::serialize(v) ==
        "{\"name\":\"caf\xc3\xa9 \\\"au\\\" lait\",\"n\":-125,\"flag\":true,\"none\":null,"
        "\"list\":[1,[2,3],{\"deep\":\"\xf0\x9f\x98\x80\"}],\"z\":{},\"a\":[]}");
}

TEST_CASE("json: errors name the line and column") {
  auto error = [](const char* text) {
    json::Value v;
    const Status s = json::parse(text, &v);
    CHECK(!s.ok());
    return s.message();
  };
  CHECK(error("{\"a\" 1}") == "line 1, column 6: expected ':' after key 'a'");
  CHECK(error("{\n  \"a\": 1,\n  \"a\": 2\n}").find("line 3") != std::string::npos);
  CHECK(error("{\"a\": [1, 2,]}").find("unexpected character ']'") != std::string::npos);
  CHECK(error("{\"a\": \"unterminated}").find("unterminated string") != std::string::npos);
  CHECK(error("{\"a\": 01x}").find("expected ','") != std::string::npos);
  CHECK(error("{\"a\": \"\\q\"}").find("unknown escape") != std::string::npos);
  CHECK(error("{\"a\": \"\\ud800\"}").find("surrogate") != std::string::npos);
  CHECK(error("{} {}").find("after the end") != std::string::npos);
  CHECK(error("").find("end of the document") != std::string::npos);
  CHECK(error("[1e999]").find("out of range") != std::string::npos);
  std::string deep(100, '[');
  CHECK(error(deep.c_str()).find("too deep") != std::string::npos);
}
