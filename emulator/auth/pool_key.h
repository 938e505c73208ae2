/* The RSA key a simulated user pool signs its tokens with: a PEM file beside the
 * definition, generated (2048-bit, mode 0600) the first time it is missing so tokens
 * minted once stay valid across restarts. OpenSSL does the key work. */
#ifndef GH_POOL_KEY_H
#define GH_POOL_KEY_H

/* Returns the private key's PEM text (malloc'd), creating the file when absent; NULL
 * with *err (malloc'd: "cannot write PATH: why", "PATH: not an RSA private key") when
 * it can neither be read nor made. */
char *gh_pool_key_load_or_create(const char *path, char **err);

#endif
