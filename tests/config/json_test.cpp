#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

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

TEST_CASE("json: the writer separates, escapes and writes numbers that read back") {
  json::Writer w;
  w.begin_object().key("text").value("a \"quote\", a \\ and a\nline\x01");
  w.key("list").begin_array().value(1).value(int64_t{-2}).value(uint64_t{18446744073709551615u});
  w.value(0.1).value(0.1f).value(1e300).value(true).null().begin_object().end_object().end_array();
  w.key("not finite").begin_array().value(std::nan("")).value(HUGE_VALF).end_array();
  w.key("empty").begin_array().end_array().end_object();
  CHECK(w.str() ==
        "{\"text\":\"a \\\"quote\\\", a \\\\ and a\\nline\\u0001\","
        "\"list\":[1,-2,18446744073709551615,0.1,0.1,1e+300,true,null,{}],"
        "\"not finite\":[null,null],\"empty\":[]}");

  // What the writer writes, the reader reads back the same.
  json::Value v;
  REQUIRE(json::parse(w.str(), &v).ok());
  CHECK(v.find("text")->string == "a \"quote\", a \\ and a\nline\x01");
  CHECK(v.find("list")->array[3].number == 0.1);
  CHECK(json::serialize(v).find("\"list\":[1,-2,") != std::string::npos);
}
