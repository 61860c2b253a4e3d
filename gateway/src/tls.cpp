#include "carbonx/gateway/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace carbonx::gateway {

namespace ssl = boost::asio::ssl;

std::string last_tls_error() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

std::shared_ptr<ssl::context> make_server_tls_context(const std::string& cert_file,
                                                      const std::string& key_file,
                                                      std::string* error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    *error = "TLS: cannot require TLS 1.2: " + last_tls_error();
    return nullptr;
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    *error =
        "tls_cert: cannot use " + cert_file + " as a PEM certificate (chain): " + last_tls_error();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = "tls_key: cannot use " + key_file + " as the PEM private key of " + cert_file + ": " +
             last_tls_error();  // "key values mismatch" for another certificate's key
    return nullptr;
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    *error = "tls_key: " + key_file + " is not the private key of the certificate in " + cert_file +
             ": " + last_tls_error();
    return nullptr;
  }
  return ctx;
}

}  // namespace carbonx::gateway
