// Package richnotify is the subscriber's side of Graph's rich
// notifications, written after Microsoft's samples and independent of the
// fake's encryption: it makes an encryption certificate, decrypts
// encryptedContent (RSA-OAEP with SHA-1 for the key, the HMAC-SHA256
// check, AES-CBC with PKCS7 padding and the key's first 16 bytes as IV)
// and validates a validation token against a JSON Web Key Set. Tests and
// step definitions use it to check what the fake sends (G-RICH-1).
package richnotify
