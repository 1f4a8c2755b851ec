# cmake -DPROFILE_DIR=<dir> -DOUTPUT=<file.cpp> -P embed_profiles.cmake
# Writes a C++ file defining config::embedded_profile_files() with the bytes of every
# PROFILE_DIR/*.toml, so the binary carries its provider profiles (no repository needed at
# run time). Bytes are written as hex so no file content can break the C++ syntax.
file(GLOB files LIST_DIRECTORIES false "${PROFILE_DIR}/*.toml")
list(SORT files)
set(arrays "")
set(entries "")
set(index 0)
foreach(path IN LISTS files)
  get_filename_component(name "${path}" NAME_WE)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "constexpr char kFile${index}[] = {${bytes} 0x00};\n")
  string(APPEND entries "    {\"${name}\", std::string_view(kFile${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
set(content "// Generated from profiles/*.toml by src/config/embed_profiles.cmake. Do not edit.
#include \"config/embedded_profiles.hpp\"

namespace postern::config {
namespace {
${arrays}
constexpr EmbeddedFile kFiles[] = {
${entries}};
}  // namespace

std::span<const EmbeddedFile> embedded_profile_files() { return kFiles; }

}  // namespace postern::config
")
# Rewrite only on change, so an unchanged profile set does not rebuild the library.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")
