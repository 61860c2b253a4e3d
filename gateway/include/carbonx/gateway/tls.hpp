#pragma once
// TLS for carbonxd's listeners (OpenSSL through Boost.Asio's ssl streams): the FIX listener
// ([server] fix_tls) and the operator API ([server] operator_tls) take their connections over
// TLS when their key is true, with the certificate and key of [server] tls_cert and tls_key
// (PEM). Plaintext is the default. TLS 1.2 is the least version accepted; the listener itself
// does the handshake (no stunnel in front). docs/tls.md: making a certificate, connecting.
//
// Thread-safety: a context is set up once, then only read by the streams made from it (OpenSSL's
// SSL_CTX is safe to share that way).

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace carbonx::gateway {

// The server side: the certificate chain and private key in PEM files. nullptr and *error (naming
// the file and OpenSSL's reason) when a file cannot be read or the key is not the certificate's.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file,
                                                                   std::string* error);

// OpenSSL's reason for the last failure on this thread ("" if none), and the queue cleared.
std::string last_tls_error();

}  // namespace carbonx::gateway
