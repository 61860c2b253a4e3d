#pragma once
// Test helper: a throwaway self-signed certificate made at test time with OpenSSL's API (no
// openssl command needed): an EC P-256 key, valid for an hour, subjectAltName IP:127.0.0.1 and
// DNS:localhost, as docs/tls.md makes one with the openssl command.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>

namespace carbonx::gateway::testing {

// Writes the certificate and its key (PEM) to the two files; false if OpenSSL failed.
inline bool make_self_signed_certificate(const std::string& cert_file, const std::string& key_file,
                                         const std::string& common_name = "carbonx test") {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  if (!key || !x) return false;
  bool ok = X509_set_version(x.get(), 2) == 1 &&
            ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(x.get()), -60) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600) != nullptr &&
            X509_set_pubkey(x.get(), key.get()) == 1;
  X509_NAME* name = X509_get_subject_name(x.get());
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                        -1, -1, 0) == 1;
  ok = ok && X509_set_issuer_name(x.get(), name) == 1;
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair<int, const char*>{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
        {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    ok = ok && ext != nullptr && X509_add_ext(x.get(), ext, -1) == 1;
    X509_EXTENSION_free(ext);
  }
  ok = ok && X509_sign(x.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return false;
  std::unique_ptr<FILE, decltype(&std::fclose)> c(std::fopen(cert_file.c_str(), "w"), std::fclose);
  std::unique_ptr<FILE, decltype(&std::fclose)> k(std::fopen(key_file.c_str(), "w"), std::fclose);
  return c && k && PEM_write_X509(c.get(), x.get()) == 1 &&
         PEM_write_PrivateKey(k.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
}

}  // namespace carbonx::gateway::testing
