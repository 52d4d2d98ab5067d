// The few pieces of the Protocol Buffers wire format that writing an ONNX
// file needs: varints, length-delimited fields (strings, bytes, nested
// messages), 32-bit floats and packed int64 lists. Messages are built inside
// out: a nested message is written into its own writer, then embedded.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace barista::internal {

class ProtoWriter {
 public:
  // The wire types this writer uses (the low three bits of a field's tag).
  enum class WireType : uint32_t { Varint = 0, LengthDelimited = 2, Fixed32 = 5 };

  void int_field(uint32_t field, uint64_t value) {
    tag(field, WireType::Varint);
    varint(value);
  }
  void float_field(uint32_t field, float value) {
    tag(field, WireType::Fixed32);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  }
  void bytes_field(uint32_t field, const void* data, size_t size) {
    tag(field, WireType::LengthDelimited);
    varint(size);
    const uint8_t* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
  }
  void string_field(uint32_t field, std::string_view s) { bytes_field(field, s.data(), s.size()); }
  void message_field(uint32_t field, const ProtoWriter& message) {
    bytes_field(field, message.bytes_.data(), message.bytes_.size());
  }
  void packed_int64_field(uint32_t field, const std::vector<int64_t>& values) {
    ProtoWriter packed;
    for (int64_t v : values) packed.varint(static_cast<uint64_t>(v));
    message_field(field, packed);
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  void tag(uint32_t field, WireType wire_type) { varint((uint64_t{field} << 3) | static_cast<uint32_t>(wire_type)); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<uint8_t>(v));
  }

  std::vector<uint8_t> bytes_;
};

}  // namespace barista::internal
