// The one translation unit that compiles Boost.Asio (and its OpenSSL glue). Every other file
// sees only declarations because BOOST_ASIO_SEPARATE_COMPILATION is a public definition of
// postern_net; this keeps Asio out of every object file and cuts build times.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
