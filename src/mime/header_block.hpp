#pragma once
// The header section of a message (RFC 5322 §2.1, §2.2): the fields before the first empty
// line. Lines end in CRLF; a bare LF is accepted as a line end too (the SMTP layer has already
// refused or normalised bare line ends, this code only has to be robust).

#include <cstddef>
#include <string_view>
#include <vector>

namespace postern::mime {

struct RawField {
  std::string_view name;   // without the colon; trailing WSP of obs-optional removed
  std::string_view value;  // after the colon, folds (CRLF WSP) included, final CRLF excluded
};

struct HeaderBlock {
  enum class Ending {
    separator,       // an empty line follows the fields; the body starts after it
    end_of_input,    // the message is fields only (or empty)
    no_separator,    // a line that is no field ends the header section: the body starts there
  };

  std::vector<RawField> fields;
  Ending ending = Ending::end_of_input;
  // Offset just after the last field's line ending: where fields can be appended. For
  // Ending::separator this is the offset of the empty line.
  std::size_t insert_at = 0;
  // The last field ends the input without a line ending (only with Ending::end_of_input).
  bool unterminated = false;
};

// Splits off the header section of `message`. Linear in the size of the header section; views
// point into `message`. A field name is 1*(%d33-57 / %d59-126) (RFC 5322 §2.2); a continuation
// line before any field, or a line without a valid name and colon, ends the header section.
[[nodiscard]] HeaderBlock scan_header_block(std::string_view message);

// The value with every fold (CRLF or LF followed by WSP) removed (RFC 5322 §2.2.3), and leading
// and trailing whitespace trimmed.
[[nodiscard]] std::string unfold(std::string_view value);

// ASCII case-insensitive comparison of field names.
[[nodiscard]] bool name_equals(std::string_view a, std::string_view b);

}  // namespace postern::mime
